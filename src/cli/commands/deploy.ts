import { createGit, defaultCacheDir, resolveVersion } from '../../image/index.js'
import { pauseAtFromEnv } from '../../engine/pause.js'
import { performer, skipsBuild, type DeployRequest } from '../../engine/request.js'
import { dryRunService } from '../../engine/service.js'
import { ship } from '../../engine/ship.js'
import { versionProblem } from '../../engine/targets.js'
import { hooksFor } from '../../hooks/index.js'
import type { Logger } from '../../log.js'
import { type CliCommand, type CliIO, configOptions, EXIT, type OptionValues, UsageError } from '../command.js'
import { hostOptions, loadForCli, openSession, runReference } from '../context.js'
import { gateFromFlags, gateOptions } from '../gate-flags.js'
import { reportResult } from '../result-table.js'
import { jsonOnSignal } from '../json-result.js'
import { releaseOnSignal } from '../signals.js'
import { CONFIGLESS_USAGE, configlessImage, configlessOptions, loadConfiglessForCli } from '../configless.js'
import { DEPLOY_LIKE_USAGE, deployLikeOptions, lockWaitSeconds, scopeFromFlags } from '../deploy-flags.js'

/** `cutover deploy`: gate ‖ build and push, then converge every host with zero downtime (a no-op when nothing changed). */
export const deployCommand: CliCommand = {
  name: 'deploy',
  summary: 'Build and push (unless already in the registry), then deploy to every host; a no-op when nothing changed',
  usage:
    'cutover deploy [-c FILE] [-d DEST] [--version V] [--ref COMMIT] [--skip-build|--skip-push] [--skip-gate] [--gate-checks A,B] [--gate-timeout S] ' +
    '[--builder NAME] [--known-hosts FILE] [--ssh-key FILE] [--max-connections N] [--break-stale-lock] [--hosts H,…] [--allow-unreachable] [-m MESSAGE] [--skip-hooks] [--json] [--dry-run] ' + DEPLOY_LIKE_USAGE + '\n' +
    `   or: ${CONFIGLESS_USAGE}`,
  jsonResult: true,
  // IMAGE: a config-less deploy (cli/configless.ts).
  positionals: true,
  options: {
    ...configOptions,
    ...hostOptions,
    'break-stale-lock': { type: 'boolean' },
    ...gateOptions,
    version: { type: 'string' },
    ref: { type: 'string' },
    'skip-build': { type: 'boolean' },
    'skip-push': { type: 'boolean' },
    builder: { type: 'string' },
    hosts: { type: 'string' },
    'allow-unreachable': { type: 'boolean' },
    message: { type: 'string', short: 'm' },
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'skip-hooks': { type: 'boolean', short: 'H' },
    ...configlessOptions,
    ...deployLikeOptions,
  },
  async run({ values, positionals }, io) {
    const given = typeof values.version === 'string' ? values.version : undefined
    const bad = given === undefined ? null : versionProblem(given)
    if (bad) throw new UsageError(`--version ${bad}`)
    const image = configlessImage(values, positionals)
    // Config-less: the flags make the config, the image's tag is the version, no build and no hooks.
    const configless = image === null ? null : loadConfiglessForCli(image, values, io)
    const loaded = configless ?? loadForCli(values, io, 'production')
    const session = openSession(loaded, values, io)
    const pauseAt = pauseAtFromEnv(io.env as NodeJS.ProcessEnv)
    const signals = releaseOnSignal(loaded.logger, jsonOnSignal(values, io, typeof values.version === 'string' ? values.version : undefined))
    try {
      // A dry run waits for no gate: it only plans.
      const fromFlags = { ...(await requestFromFlags(values, io, values['dry-run'] ? null : loaded.logger)), ...scopeFromFlags(values, loaded.config), lockWaitS: lockWaitSeconds(values) }
      const request = configless ? { ...fromFlags, version: configless.version, skipBuild: true, skipHooks: true } : fromFlags
      if (values['dry-run']) {
        const resolved = request.version ? undefined : await resolveVersion(createGit(), { appDir: request.appDir, ref: request.ref })
        const version = request.version ?? resolved!.version
        const commit = resolved?.commit ?? (await commitFor(request.appDir, request.ref))
        const plans = await dryRunService(session, { ...request, version, commit }, loaded.logger)
        io.stdout(values.json ? `${JSON.stringify({ ok: !plans.some((p) => p.error), version, dryRun: true, hosts: plans }, null, 2)}\n` : renderDryRun(plans))
        return plans.some((p) => p.error) ? EXIT.failure : EXIT.ok
      }
      const str = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined)
      const shipped = await ship(session, request, {
        builder: { cacheDir: defaultCacheDir(io.env), env: io.env, ...(str('builder') ? { buildxBuilder: str('builder') } : {}) },
        onLock: signals.onLock,
        pauseAt,
        kamalHooks: hooksFor(session, request, loaded.logger),
        // The gate's lines already start with `gate:`.
        phase: (name) => (name === 'gate' ? loaded.logger : loaded.logger.child(`${name}:`)),
      })
      reportResult(shipped.result, Boolean(values.json), io, 'deploy')
      return shipped.result.hosts.some((h) => h.action === 'failed') ? EXIT.failure : EXIT.ok
    } finally {
      signals.dispose()
      await session.close()
    }
  },
}

/** The flags as the engine's one DeployRequest; `gateLog` null: no gate (a dry run). */
async function requestFromFlags(values: OptionValues, io: CliIO, gateLog: Logger | null): Promise<DeployRequest> {
  const str = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined)
  const appDir = io.cwd
  const gate = gateLog ? await gateFromFlags(values, io, () => commitFor(appDir, str('ref')), gateLog) : undefined
  return {
    appDir,
    ref: str('ref'),
    version: str('version'),
    skipBuild: skipsBuild({ skipBuild: values['skip-build'] === true, skipPush: values['skip-push'] === true }),
    gate,
    performer: performer(io.env),
    run: runReference(io.env),
    message: str('message'),
    onlyHosts: str('hosts')?.split(',').map((h) => h.trim()).filter(Boolean),
    breakStale: values['break-stale-lock'] === true,
    allowUnreachable: values['allow-unreachable'] === true,
    command: 'deploy',
    skipHooks: values['skip-hooks'] === true,
  }
}

/** The commit the gate checks: the one being built (or deployed). undefined outside a git checkout. */
async function commitFor(appDir: string, ref: string | undefined): Promise<string | undefined> {
  try {
    return (await resolveVersion(createGit(), { appDir, ref })).commit
  } catch {
    return undefined
  }
}

function renderDryRun(plans: Awaited<ReturnType<typeof dryRunService>>): string {
  const lines: string[] = []
  for (const host of plans) {
    if (host.error) {
      lines.push(`${host.host}: cannot plan: ${host.error}`)
      continue
    }
    for (const role of host.roles) {
      lines.push(`${host.host} ${role.role}: ${role.outcome} → ${role.container}`)
      for (const change of role.changes) lines.push(`    change: ${change}`)
      for (const step of role.steps) lines.push(`    ${step}`)
      for (const note of role.notes) lines.push(`    note: ${note}`)
    }
  }
  return `${lines.join('\n')}\n`
}

