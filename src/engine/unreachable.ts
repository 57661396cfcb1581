import type { Logger } from '../log.js'
import type { HostResult } from './result.js'

/**
 * All or nothing at the start: when any target host cannot be reached or observed, no host is
 * changed (a fleet half on the new version is worse than a deploy that did not start), unless
 * the user opted in with `--allow-unreachable` (Action input `allow-unreachable-hosts`).
 */
export interface Unreachable {
  hosts: { host: string; error: string }[]
  /** The message every host's result carries. */
  summary: string
}

type Look = { host: string } & ({ state: unknown } | { error: string })

/** null when every host answered, or when the user allows going on without some (that is logged). */
export function unreachableHosts(looks: readonly Look[], allow: boolean | undefined, logger: Logger): Unreachable | null {
  const hosts = looks.flatMap((l) => ('error' in l ? [{ host: l.host, error: l.error }] : []))
  if (hosts.length === 0) return null
  if (allow) {
    logger.warn(`going on without ${hosts.map((h) => h.host).join(', ')} (--allow-unreachable): ${hosts.map((h) => `${h.host}: ${h.error}`).join('; ')}`)
    return null
  }
  const list = hosts.map((h) => `  ${h.host}: ${h.error}`).join('\n')
  const summary =
    `${hosts.length} of ${looks.length} hosts could not be reached or observed, so no host was changed:\n${list}\n` +
    'Fix the connection (or take the host out of servers:), or pass --allow-unreachable (Action input allow-unreachable-hosts: true) to deploy to the others.'
  logger.error(summary)
  return { hosts, summary }
}

/** Every host's result when the run stops before changing anything: each unreachable host with its reason. */
export function unreachableResults(plans: readonly ({ host: string } & ({ error: string; roles: string[] } | { plan: { roles: { role: string; result: { container: string } }[] } }))[], u: Unreachable, elapsed: () => number): HostResult[] {
  return plans.flatMap((p) => {
    if ('error' in p) return p.roles.map((role): HostResult => ({ host: p.host, role, action: 'failed', durationMs: elapsed(), error: `unreachable: ${p.error}; no host was changed` }))
    return p.plan.roles.map((r): HostResult => ({ host: p.host, role: r.role, action: 'failed', container: r.result.container, durationMs: elapsed(), error: `not changed: ${u.hosts.map((h) => h.host).join(', ')} could not be reached (all or nothing; --allow-unreachable deploys to the others)` }))
  })
}
