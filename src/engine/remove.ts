import * as audit from '../argv/audit.js'
import * as docker from '../argv/docker.js'
import { appDirectory, auditLogPath, proxyServiceName } from '../argv/names.js'
import type { HostState } from '../argv/observation.js'
import * as proxy from '../argv/proxy.js'
import type { DeployConfig } from '../config/index.js'
import type { Logger } from '../log.js'
import { observeQueryFor } from '../plan/desired.js'
import type { RemoteHost } from '../remote/host.js'
import { withLock, type LockRequest } from './lock.js'
import { observeHost } from './observe.js'
import type { DeployRequest, RunHooks } from './request.js'
import type { DeployResult, HostResult } from './result.js'
import type { Session } from './session.js'
import { configApp, configHosts, primaryHost } from './targets.js'

/** Who removes, for the lock and the audit log: the same fields a DeployRequest has. */
export type RemoveRequest = Pick<DeployRequest, 'performer' | 'run'>

/**
 * Take the app off every host, as `kamal remove` does: its proxy routes, its containers (all
 * roles, retained ones included), the images only they used, and its env files. Succeeds, with
 * nothing changed, when the app is already gone.
 */
export async function removeService(session: Session, req: RemoveRequest, logger: Logger, hooks: Pick<RunHooks, 'onLock'> = {}): Promise<DeployResult> {
  const { config } = session.options
  const at = new Date().toISOString()
  const app = configApp(config)
  const lock: LockRequest = {
    host: primaryHost(config),
    app,
    details: { lockedBy: req.performer, at, version: '-', message: `Removing ${config.service}`, ...(req.run ? { run: req.run } : {}) },
  }
  const hostResults = await withLock(lock, { pool: session, logger, onLock: hooks.onLock }, () =>
    Promise.all(
      configHosts(config).map(async ({ host }): Promise<HostResult[]> => {
        const started = Date.now()
        const roles = config.roles.filter((r) => r.hosts.some((h) => h.host === host)).map((r) => r.name)
        const log = logger.child(`[${host}]`)
        try {
          const remote = await session.host(host)
          const removed = await removeFromHost(remote, await observeHost(remote, observeQueryFor(app, 'full')), config, roles, log, at, req.performer)
          return roles.map((role) => ({ host, role, action: removed ? 'removed' : 'unchanged', durationMs: Date.now() - started }))
        } catch (e) {
          // Connection errors already start with the host (RemoteError), and the log line and the
          // result table name it too: the message is not prefixed again.
          const error = session.redact(e instanceof Error ? e.message : String(e))
          log.error(error)
          return roles.map((role) => ({ host, role, action: 'failed', durationMs: Date.now() - started, error }))
        }
      }),
    ),
  )
  const flat = hostResults.flat()
  return { version: '-', image: config.repository, changed: flat.some((h) => h.action !== 'unchanged'), hosts: flat }
}

/** Returns whether anything was there to remove. */
async function removeFromHost(host: RemoteHost, seen: HostState, config: DeployConfig, roles: string[], log: Logger, at: string, performer: string): Promise<boolean> {
  const app = configApp(config)
  const mine = seen.containers.filter((c) => c.service === app.service && c.destination === (app.destination ?? ''))
  const routeNames = new Set(roles.map((role) => proxyServiceName({ ...app, role })))
  const routes = (seen.routes ?? []).filter((r) => routeNames.has(r.service))
  if (mine.length === 0 && routes.length === 0) {
    log.info(`${config.service} is not on this host: nothing to remove`)
    return false
  }
  const run = async (argv: readonly string[], what: string, bestEffort = false): Promise<void> => {
    log.info(what)
    const r = await host.exec(argv, { timeoutMs: 120_000 })
    if (r.code === 0) return
    const said = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ')
    if (bestEffort) log.warn(`${what} failed, left alone: ${said}`)
    else throw new Error(`${what} failed (exit ${r.code}): ${said}`)
  }
  // Routes first, so no request is sent to a container while it goes away.
  for (const route of routes) await run(proxy.remove(route.service), `remove the kamal-proxy route ${route.service}`)
  if (mine.length > 0) await run(docker.rm(mine.map((c) => c.id), { force: true }), `remove ${mine.map((c) => c.name).join(', ')}`)
  // Observe sees every container on the host, so an image another app (a preview, production)
  // still uses is kept here, not left to Docker to refuse.
  const gone = new Set(mine.map((c) => c.imageId))
  const stillUsed = new Set(seen.containers.filter((c) => !mine.includes(c)).map((c) => c.imageId))
  const images = (seen.images ?? []).filter((i) => gone.has(i.id) && !stillUsed.has(i.id) && i.tag !== '<none>').map((i) => `${i.repository}:${i.tag}`)
  if (images.length > 0) await run(docker.removeImages(images), `remove images ${images.join(', ')}`, true)
  await run(['rm', '-rf', '--', appDirectory(app)], 'remove the env files', true)
  const line = audit.auditLine({ at, performer, destination: app.destination, role: null }, `Removed app ${config.service}`)
  await run(audit.append(auditLogPath(app), line), 'append to the audit log', true)
  return true
}
