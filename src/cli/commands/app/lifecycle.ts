import * as audit from '../../../argv/audit.js'
import * as docker from '../../../argv/docker.js'
import { auditLogPath, proxyServiceName } from '../../../argv/names.js'
import * as proxy from '../../../argv/proxy.js'
import { mustRun, observeApp, onHosts, roleCurrent, roleLatest } from '../../../engine/app-hosts.js'
import { performer } from '../../../engine/request.js'
import { configApp } from '../../../engine/targets.js'
import { inScope, isActive } from '../../../plan/scope.js'
import type { RemoteHost } from '../../../remote/host.js'
import { type CliCommand, type CliIO, type OptionValues } from '../../command.js'
import { printHostRuns } from '../../per-host.js'
import { type AppContext, APP_USAGE, appOptions, mutating, withApp } from './common.js'

/** Start, stop, stale containers and maintenance: each changes what runs, so each holds the deploy lock (Kamal's `mutating`). */

const LOCK_USAGE = '[--lock-wait SECONDS]'

/** An audit line, as deploy writes them; best effort (the log is a record, not a step the command depends on). */
async function record(remote: RemoteHost, ctx: AppContext, io: CliIO, role: string | null, message: string): Promise<void> {
  const app = configApp(ctx.loaded.config)
  const line = audit.auditLine({ at: new Date().toISOString(), performer: performer(io.env), destination: app.destination, role }, message)
  await remote.exec(audit.append(auditLogPath(app), line), { timeoutMs: 30_000 }).catch(() => undefined)
}

/** Runs `perRole` for every role of every host under the lock; each host says what it did, one line per role. */
function roleCommand(
  name: string,
  summary: string,
  extra: { options?: CliCommand['options']; usage?: string } ,
  message: (values: OptionValues) => string,
  perRole: (ctx: AppContext, remote: RemoteHost, role: string, seen: Awaited<ReturnType<typeof observeApp>>, values: OptionValues, io: CliIO) => Promise<string>,
): CliCommand {
  return {
    name,
    summary,
    usage: `cutover app ${name} ${extra.usage ? `${extra.usage} ` : ''}${APP_USAGE} ${LOCK_USAGE} [--json]`,
    options: { ...appOptions, ...(extra.options ?? {}) },
    run: ({ values }, io) =>
      withApp(values, io, 'ssh', (ctx) =>
        mutating(ctx, values, io, message(values), async () => {
          const runs = await onHosts(ctx.session, ctx.hosts, ctx.loaded.logger, async (remote, h) => {
            const seen = await observeApp(remote, ctx.loaded.config)
            const said: Record<string, string> = {}
            for (const role of h.roles) said[role] = await perRole(ctx, remote, role, seen, values, io)
            return said
          })
          return printHostRuns(io, runs, { json: values.json === true, text: (said) => Object.entries(said).map(([role, s]) => `${role}: ${s}\n`).join(''), data: (said) => ({ roles: said }) })
        }),
      ),
  }
}

export const startCommand = roleCommand('start', "Start the app's current (else newest) container of each role, if stopped", {}, () => 'Starting the app', async (ctx, remote, role, seen, _v, io) => {
  const c = roleLatest(seen, ctx.loaded.config, role)
  if (!c) return 'no container to start'
  if (c.state === 'running') return `${c.name} already running`
  await mustRun(remote, docker.start(c.id), `docker start ${c.name}`)
  await record(remote, ctx, io, role, `Started app container ${c.name}`)
  return `started ${c.name}`
})

export const stopCommand = roleCommand('stop', "Stop the app's running containers of each role (kamal-proxy keeps the route: requests fail until start)", {}, () => 'Stopping the app', async (ctx, remote, role, seen, _v, io) => {
  const running = seen.containers.filter((c) => inScope({ ...configApp(ctx.loaded.config), role })(c) && isActive(c))
  if (running.length === 0) return 'nothing running'
  const timeout = ctx.loaded.config.roles.find((r) => r.name === role)?.stopTimeout ?? null
  await mustRun(remote, docker.stop(running.map((c) => c.id), timeout), `docker stop ${running.map((c) => c.name).join(' ')}`, ((timeout ?? 10) + 30) * 1000)
  await record(remote, ctx, io, role, `Stopped app containers ${running.map((c) => c.name).join(', ')}`)
  return `stopped ${running.map((c) => c.name).join(', ')}`
})

export const staleCommand = roleCommand(
  'stale-containers',
  'List running containers of each role other than its current one (--stop stops them)',
  { options: { stop: { type: 'boolean', short: 's' } }, usage: '[--stop]' },
  () => 'Stopping stale containers',
  async (ctx, remote, role, seen, values, io) => {
    const ref = { ...configApp(ctx.loaded.config), role }
    const current = roleCurrent(seen, ctx.loaded.config, role)
    const stale = seen.containers.filter((c) => inScope(ref)(c) && isActive(c) && c !== current)
    if (stale.length === 0) return 'no stale containers'
    const names = stale.map((c) => c.name).join(', ')
    if (values.stop !== true) return `stale: ${names} (current: ${current?.name ?? 'none'}; --stop stops them)`
    await mustRun(remote, docker.stop(stale.map((c) => c.id)), `docker stop ${names}`)
    await record(remote, ctx, io, role, `Stopped stale containers ${names}`)
    return `stopped stale ${names}`
  },
)

/** kamal-proxy's stop/resume for the role's route; roles without the proxy have nothing to do. */
const proxyToggle = (stopIt: boolean) => async (ctx: AppContext, remote: RemoteHost, role: string, _seen: unknown, values: OptionValues, io: CliIO): Promise<string> => {
  const { config } = ctx.loaded
  if (!config.roles.find((r) => r.name === role)?.proxy) return 'no proxy for this role: nothing to do'
  const service = proxyServiceName({ ...configApp(config), role })
  const message = typeof values.message === 'string' ? values.message : undefined
  await mustRun(remote, stopIt ? proxy.stop(service, { message, drainTimeoutS: config.drainTimeout }) : proxy.resume(service), `kamal-proxy ${stopIt ? 'stop' : 'resume'} ${service}`, (config.drainTimeout + 30) * 1000)
  await record(remote, ctx, io, role, stopIt ? `Maintenance mode on${message ? `: ${message}` : ''}` : 'Maintenance mode off (live)')
  return stopIt ? `maintenance: kamal-proxy answers ${service} with 503${message ? ` and "${message}"` : ''}` : `live: ${service} routed to the app again`
}

export const maintenanceCommand = roleCommand(
  'maintenance',
  "Put the app in maintenance: kamal-proxy answers its requests with 503 (and --message) until `app live`",
  { options: { message: { type: 'string', short: 'm' } }, usage: '[-m MESSAGE]' },
  () => 'Maintenance mode',
  proxyToggle(true),
)

export const liveCommand = roleCommand('live', 'End maintenance: kamal-proxy routes requests to the app again', {}, () => 'Going live', proxyToggle(false))
