import { parseObservation, type HostState } from '../commands/observation.js'
import { observe } from '../commands/observe.js'
import { observeQueryFor, type DesiredRole } from '../plan/desired.js'
import type { RemoteHost } from '../remote/host.js'

const OBSERVE_TIMEOUT_MS = 60_000

/** One read-only round trip: every container of the service, the proxy's routes, the lock, the image. */
export async function observeHost(host: RemoteHost, role: DesiredRole): Promise<HostState> {
  const result = await host.exec(observe(observeQueryFor(role)), { timeoutMs: OBSERVE_TIMEOUT_MS })
  return parseObservation(result.stdout)
}
