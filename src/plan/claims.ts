import type { HostState, ObservedContainer } from '../argv/observation.js'
import { containerPrefix, proxyServiceName, targetAlias } from '../argv/names.js'
import { splitTarget } from '../argv/proxy-list.js'
import type { DesiredRole } from './desired.js'

/**
 * Who already serves a host name this role wants. kamal-proxy's routes give the service by host;
 * the containers' labels give the rest. Read from the one observation a plan is made from: no
 * extra round trip. Pure.
 */
export interface HostHolder {
  /** The host names both want. */
  hosts: string[]
  /** kamal-proxy's service name of the holder (`<service>-<role>[-<destination>]` for Kamal and cutover). */
  proxyService: string
  /** Its serving container, when one with matching labels runs here. */
  container: { name: string; image: string; service: string; role: string; destination: string; managedBy: ManagedBy } | null
}

export type ManagedBy = 'cutover' | 'Kamal' | 'ONCE' | 'unknown'

/** Labels say who made a container: cutover adds its digest label to Kamal's; Kamal's have service and role; ONCE's apps run on its `once` network. */
export function managedBy(c: Pick<ObservedContainer, 'service' | 'role' | 'digest' | 'network'>): ManagedBy {
  if (c.digest) return 'cutover'
  if (c.service && c.role) return 'Kamal'
  if (c.network === 'once') return 'ONCE'
  return 'unknown'
}

export function hostHolders(d: Pick<DesiredRole, 'service' | 'role' | 'destination' | 'proxy'>, seen: Pick<HostState, 'routes' | 'containers'>): HostHolder[] {
  const wanted = new Set((d.proxy?.route.hosts ?? []).map((h) => h.toLowerCase()))
  if (wanted.size === 0 || !seen.routes) return []
  const own = proxyServiceName({ service: d.service, role: d.role, destination: d.destination })
  const paths = prefixes(d.proxy?.route.pathPrefixes ?? [])
  return seen.routes.flatMap((route): HostHolder[] => {
    if (route.service === own) return []
    const hosts = route.hosts.filter((h) => wanted.has(h.toLowerCase()))
    // kamal-proxy refuses a route only when host AND path prefix are both taken (ServiceMap.CheckAvailability).
    if (hosts.length === 0 || !prefixes(route.pathPrefixes).some((p) => paths.includes(p))) return []
    return [{ hosts, proxyService: route.service, container: holderContainer(route.service, route.targets, seen.containers) }]
  })
}

/** kamal-proxy's default path prefix is `/`. */
const prefixes = (list: readonly string[]): readonly string[] => (list.length ? list : ['/'])

/** The running container behind a route: labels that make its proxy service name, preferring the one a target points at. */
function holderContainer(proxyService: string, targets: readonly string[], containers: readonly ObservedContainer[]): HostHolder['container'] {
  const candidates = containers.filter((c) => c.state === 'running' && c.service && containerPrefix({ service: c.service, role: c.role, destination: c.destination || null }) === proxyService)
  const aimed = new Set(targets.map((t) => splitTarget(t).host))
  const c = candidates.find((x) => (x.digest && aimed.has(targetAlias(x.digest))) || aimed.has(x.name) || aimed.has(x.id) || aimed.has(x.id.slice(0, 12))) ?? candidates[0]
  if (!c) return null
  return { name: c.name, image: c.ref ?? '', service: c.service, role: c.role, destination: c.destination, managedBy: managedBy(c) }
}

/** The holders in one message: who, and how to take the host over (or free it). Names no secret: labels and names only. */
export function holderMessage(d: Pick<DesiredRole, 'service' | 'role' | 'destination'>, holders: readonly HostHolder[]): string {
  return holders
    .map((h) => {
      const c = h.container
      const who = c
        ? `service ${c.service} (kamal-proxy service ${h.proxyService}, container ${c.name}${c.image ? `, image ${c.image}` : ''}, ${c.managedBy === 'unknown' ? 'not labelled by Kamal or cutover' : `${c.managedBy}-managed`})`
        : `kamal-proxy service ${h.proxyService} (no running container here carries its labels)`
      const takeOver = c && c.role === d.role && (c.destination || null) === d.destination
      const fix = takeOver
        ? `to replace it with zero downtime, deploy as that service: --service ${c.service} (the Action's \`service: ${c.service}\`)`
        : `free the host first (remove ${h.proxyService}, e.g. \`docker exec kamal-proxy kamal-proxy remove ${h.proxyService}\` once nothing needs it), or deploy to another host name`
      return `${h.hosts.join(', ')} is already served by ${who}, not by ${proxyServiceName({ service: d.service, role: d.role, destination: d.destination })}; nothing was changed. Fix: ${fix}`
    })
    .join('; ')
}

/** Another service holds a host name this deploy wants: the whole run stops before any change. */
export class HostClaimedError extends Error {
  override name = 'HostClaimedError'
}
