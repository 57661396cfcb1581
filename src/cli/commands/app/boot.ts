import { defaultCacheDir } from '../../../image/index.js'
import { observeApp, primaryAppHost, roleCurrent } from '../../../engine/app-hosts.js'
import { removeService } from '../../../engine/remove.js'
import { performer, type DeployRequest } from '../../../engine/request.js'
import { ship } from '../../../engine/ship.js'
import { versionProblem } from '../../../engine/targets.js'
import { hooksFor } from '../../../hooks/index.js'
import { type CliCommand, EXIT, UsageError } from '../../command.js'
import { loadForCli, openSession, runReference } from '../../context.js'
import { scopeFromFlags } from '../../deploy-flags.js'
import { namedVersionRequest } from '../../named-version-request.js'
import { jsonOnSignal } from '../../json-result.js'
import { reportResult } from '../../result-table.js'
import { releaseOnSignal } from '../../signals.js'
import { APP_USAGE, appOptions } from './common.js'

/**
 * `cutover app boot`: boot the current version again (or `--version V`) on every host through the
 * deploy's own zero-downtime path: a fresh container of the same image next to the serving one,
 * kamal-proxy switches when it is healthy and drains the old one, then the old one stops. Only
 * the request differs from a rollback: `reboot`, so the planner reuses no container.
 */
export const bootCommand: CliCommand = {
  name: 'boot',
  summary: 'Boot the current version again on every host, with zero downtime (a new container replaces the serving one)',
  usage: `cutover app boot [--version V] [-m MESSAGE] [--break-stale-lock] [--lock-wait SECONDS] [--skip-hooks] ${APP_USAGE} [--json]`,
  jsonResult: true,
  options: { ...appOptions, version: { type: 'string' }, message: { type: 'string', short: 'm' }, 'break-stale-lock': { type: 'boolean' }, 'skip-hooks': { type: 'boolean', short: 'H' } },
  async run({ values }, io) {
    const given = typeof values.version === 'string' ? values.version : undefined
    const bad = given === undefined ? null : versionProblem(given)
    if (bad) throw new UsageError(`--version ${bad}`)
    const loaded = loadForCli(values, io, 'production')
    const session = openSession(loaded, values, io)
    const signals = releaseOnSignal(loaded.logger, jsonOnSignal(values, io, given))
    try {
      const scope = scopeFromFlags(values, loaded.config)
      const version = given ?? (await currentVersion(session, loaded.config, scope))
      loaded.logger.info(`rebooting ${version}`)
      const request: DeployRequest = { ...namedVersionRequest(values, io, loaded.config, { version, command: 'deploy', message: `Rebooting ${version}` }), reboot: true }
      const { result } = await ship(session, request, { builder: { cacheDir: defaultCacheDir(io.env) }, onLock: signals.onLock, kamalHooks: hooksFor(session, request, loaded.logger), phase: () => loaded.logger })
      reportResult(result, Boolean(values.json), io, 'app boot')
      return result.hosts.some((h) => h.action === 'failed') ? EXIT.failure : EXIT.ok
    } finally {
      signals.dispose()
      await session.close()
    }
  },
}

/** The version the primary role runs on the primary host (Kamal reads it there too). */
async function currentVersion(session: ReturnType<typeof openSession>, config: Parameters<typeof primaryAppHost>[0], scope: ReturnType<typeof scopeFromFlags>): Promise<string> {
  const h = primaryAppHost(config, scope)
  const role = h.roles[0]!
  const c = roleCurrent(await observeApp(await session.host(h.host), config), config, role)
  if (!c) throw new Error(`${h.host}: no running ${role} container of ${config.service}: nothing to reboot (deploy first, or pass --version V)`)
  if (!c.version) throw new Error(`${h.host}: ${c.name} has no cutover.version label (deployed by another tool): pass --version V`)
  return c.version
}

/** `cutover app remove`: the app's routes, containers, images and env files; volumes are never removed. */
export const appRemoveCommand: CliCommand = {
  name: 'remove',
  summary: "Remove the app from every host (routes, containers, images, env files; never volumes), as `cutover remove`",
  usage: `cutover app remove --confirm [--break-stale-lock] ${APP_USAGE} [--json]`,
  jsonResult: true,
  options: { ...appOptions, confirm: { type: 'boolean' }, 'break-stale-lock': { type: 'boolean' } },
  async run({ values }, io) {
    if (!values.confirm) throw new UsageError('this stops and deletes the app on every host: pass --confirm to go ahead')
    if (values.hosts !== undefined || values.roles !== undefined || values.primary === true) throw new UsageError('app remove takes the app off every host: --hosts, --roles and --primary are not supported here')
    const loaded = loadForCli(values, io, 'ssh')
    const session = openSession(loaded, values, io)
    const signals = releaseOnSignal(loaded.logger, jsonOnSignal(values, io, undefined))
    try {
      const result = await removeService(session, { performer: performer(io.env), run: runReference(io.env), breakStale: values['break-stale-lock'] === true }, loaded.logger, { onLock: signals.onLock })
      reportResult(result, Boolean(values.json), io, 'app remove')
      return result.hosts.some((h) => h.action === 'failed') ? EXIT.failure : EXIT.ok
    } finally {
      signals.dispose()
      await session.close()
    }
  },
}
