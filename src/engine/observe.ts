import { parseObservation, type HostState } from '../commands/observation.js'
import { observe } from '../commands/observe.js'
import { observeQueryFor, type DesiredRole } from '../plan/desired.js'
import type { RemoteHost } from '../remote/host.js'

const OBSERVE_TIMEOUT_MS = 60_000

/**
 * One read-only round trip: every container on the host, the proxy's routes, the lock and (with
 * `tags`) the repository's local tags.
 */
export async function observeHost(host: RemoteHost, role: DesiredRole, options: { tags?: boolean } = {}): Promise<HostState> {
  const result = await host.exec(observe(observeQueryFor(role, options)), { timeoutMs: OBSERVE_TIMEOUT_MS })
  return parseObservation(result.stdout)
}
