import type { HostState, ObservedContainer } from '../argv/observation.js'
import type { DeployConfig } from '../config/index.js'
import type { Logger } from '../log.js'
import { observeQueryFor } from '../plan/desired.js'
import { currentContainer, inScope, newestFirst } from '../plan/scope.js'
import type { RemoteHost } from '../remote/host.js'
import { fanOut } from '../remote/fan-out.js'
import { observeHost } from './observe.js'
import type { Session } from './session.js'
import { configApp, configHosts, primaryHost } from './targets.js'

/**
 * The day-two commands (`cutover app …`, `proxy`, `prune`, `audit`) run one small job per host
 * over the session's connections. This is where they pick their hosts and roles, run the job on
 * every host at once and collect each host's outcome, failures included (redacted).
 */

/** One host and the roles of this app it runs (the primary role first). */
export interface AppHost {
  host: string
  roles: string[]
}

export interface Narrowing {
  onlyHosts?: readonly string[] | undefined
  onlyRoles?: readonly string[] | undefined
}

/** Every host of the config with its roles, narrowed by `--hosts`/`--roles`/`--primary`; a name not in the config is an error. */
export function appHosts(config: DeployConfig, only: Narrowing = {}): AppHost[] {
  const hosts = only.onlyHosts?.length ? only.onlyHosts : null
  const roles = only.onlyRoles?.length ? only.onlyRoles : null
  const all = configHosts(config).map((h) => h.host)
  const unknownHosts = (hosts ?? []).filter((h) => !all.includes(h))
  if (unknownHosts.length) throw new Error(`--hosts: ${unknownHosts.join(', ')} not in the config's servers (hosts: ${all.join(', ')})`)
  const unknownRoles = (roles ?? []).filter((r) => !config.roles.some((role) => role.name === r))
  if (unknownRoles.length) throw new Error(`--roles: ${unknownRoles.join(', ')} not a role of the config's servers (roles: ${config.roles.map((r) => r.name).join(', ')})`)
  const ordered = [...config.roles].sort((a, b) => Number(b.primary) - Number(a.primary)).filter((r) => !roles || roles.includes(r.name))
  return all
    .filter((h) => !hosts || hosts.includes(h))
    .map((host) => ({ host, roles: ordered.filter((r) => r.hosts.some((h) => h.host === host)).map((r) => r.name) }))
    .filter((h) => h.roles.length > 0)
}

/** The primary host alone, with its roles (where Kamal runs a one-off or follows logs). */
export function primaryAppHost(config: DeployConfig, only: Narrowing = {}): AppHost {
  const host = only.onlyHosts?.length ? only.onlyHosts[0]! : primaryHost(config)
  const found = appHosts(config, { ...only, onlyHosts: [host] })[0]
  if (!found) throw new Error(`${host} runs none of the roles asked for`)
  return found
}

export interface HostRun<T> {
  host: string
  value?: T
  error?: string
}

/** `job` on every host at once; a host that fails is reported with its (redacted) error, the others still run. */
export async function onHosts<T>(session: Session, hosts: readonly AppHost[], logger: Logger, job: (remote: RemoteHost, h: AppHost, log: Logger) => Promise<T>): Promise<HostRun<T>[]> {
  const outcomes = await fanOut(hosts.map((h) => ({ ...h, name: h.host })), logger, async (h, log) => job(await session.host(h.host), h, log))
  return outcomes.map((o) => (o.ok ? { host: o.host, value: o.value } : { host: o.host, error: session.redact(o.error.message) }))
}

/** A full observation of this app on the host (the same one-round-trip look deploy makes). */
export const observeApp = (remote: RemoteHost, config: DeployConfig): Promise<HostState> => observeHost(remote, observeQueryFor(configApp(config), 'full'))

/** Kamal's current container of the role (the running one of the latest image), or null. */
export function roleCurrent(seen: HostState, config: DeployConfig, role: string): ObservedContainer | null {
  return currentContainer(seen, { ...configApp(config), role })
}

/** The role's current container, else its newest in any state (a stopped app still has logs and can be started). */
export function roleLatest(seen: HostState, config: DeployConfig, role: string): ObservedContainer | null {
  const ref = { ...configApp(config), role }
  return currentContainer(seen, ref) ?? seen.containers.filter(inScope(ref)).sort(newestFirst)[0] ?? null
}

/** Runs a command, failing with what it said when it exits non-zero. */
export async function mustRun(remote: RemoteHost, argv: readonly string[], what: string, timeoutMs = 120_000): Promise<string> {
  const r = await remote.exec(argv, { timeoutMs })
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ')}`)
  return r.stdout
}
