import { defaultCacheDir } from '../../image/index.js'
import { createGit, resolveVersion } from '../../image/index.js'
import { pauseAtFromEnv } from '../../engine/pause.js'
import { hooksFor } from '../../hooks/index.js'
import { dryRunService, type ServiceDeployRequest } from '../../engine/service.js'
import { ship } from '../../engine/ship.js'
import { versionProblem } from '../../engine/targets.js'
import { type CliCommand, configOptions, EXIT, UsageError } from '../command.js'
import { hostOptions, loadForCli, openSession, performer, runReference } from '../context.js'
import { gateFromFlags, gateOptions } from '../gate-flags.js'
import { reportResult } from '../result-table.js'
import { releaseOnSignal } from '../signals.js'

/** `cutover deploy`: gate ‖ build and push, then converge every host with zero downtime (a no-op when nothing changed). */
export const deployCommand: CliCommand = {
  name: 'deploy',
  summary: 'Build and push (unless already in the registry), then deploy to every host; a no-op when nothing changed',
  usage:
    'cutover deploy [-c FILE] [-d DEST] [--version V] [--ref COMMIT] [--skip-build|--skip-push] [--skip-gate] [--gate-checks A,B] [--gate-timeout S] ' +
    '[--builder NAME] [--known-hosts FILE] [--ssh-key FILE] [--hosts H,…] [-m MESSAGE] [--skip-hooks] [--json] [--dry-run]',
  options: {
    ...configOptions,
    ...hostOptions,
    ...gateOptions,
    version: { type: 'string' },
    ref: { type: 'string' },
    'skip-build': { type: 'boolean' },
    'skip-push': { type: 'boolean' },
    builder: { type: 'string' },
    hosts: { type: 'string' },
    message: { type: 'string', short: 'm' },
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'skip-hooks': { type: 'boolean', short: 'H' },
  },
  async run({ values }, io) {
    const given = typeof values.version === 'string' ? values.version : undefined
    const bad = given === undefined ? null : versionProblem(given)
    if (bad) throw new UsageError(`--version ${bad}`)
    const loaded = loadForCli(values, io)
    const session = openSession(loaded, values, io)
    const appDir = io.cwd
    const str = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined)
    const deploy: Omit<ServiceDeployRequest, 'session' | 'version'> = {
      performer: performer(io.env),
      run: runReference(io.env),
      message: str('message'),
      onlyHosts: str('hosts')?.split(',').map((h) => h.trim()).filter(Boolean),
      pauseAt: pauseAtFromEnv(io.env as NodeJS.ProcessEnv),
    }
    const signals = releaseOnSignal(loaded.logger)
    try {
      if (values['dry-run']) {
        const version = str('version') ?? (await resolveVersion(createGit(), { appDir, ref: str('ref') })).version
        const plans = await dryRunService({ ...deploy, session, version }, loaded.logger)
        io.stdout(values.json ? `${JSON.stringify({ version, dryRun: true, hosts: plans }, null, 2)}\n` : renderDryRun(plans))
        return plans.some((p) => p.error) ? EXIT.failure : EXIT.ok
      }
      const skipBuild = Boolean(values['skip-build'] || values['skip-push'])
      const gate = await gateFromFlags(values, io, () => commitFor(appDir, str('ref')), loaded.logger)
      const shipped = await ship({
        session,
        appDir,
        ref: str('ref'),
        version: str('version'),
        skipBuild,
        gate: gate ? { options: gate } : undefined,
        builder: { cacheDir: defaultCacheDir(io.env), env: io.env, ...(str('builder') ? { buildxBuilder: str('builder') } : {}) },
        deploy: { ...deploy, onLock: signals.onLock, hooks: hooksFor({ session, appDir, command: 'deploy', performer: deploy.performer, skip: Boolean(values['skip-hooks']), version: str('version'), onlyHosts: deploy.onlyHosts, logger: loaded.logger }) },
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
      for (const step of role.steps) lines.push(`    ${step}`)
      for (const note of role.notes) lines.push(`    note: ${note}`)
    }
  }
  return `${lines.join('\n')}\n`
}

