import { parseObservation, type HostState } from '../argv/observation.js'
import { observe, type ObserveQuery } from '../argv/observe.js'
import type { RemoteHost } from '../remote/host.js'

const OBSERVE_TIMEOUT_MS = 60_000

/**
 * One read-only round trip: every container on the host, the proxy's routes, the lock and (in a
 * full look) the repository's local tags. A first look only tells whether there is work. The
 * query comes from observeQueryFor (plan/desired.ts), for deploy, `versions` and `remove` alike.
 */
export async function observeHost(host: RemoteHost, query: ObserveQuery): Promise<HostState> {
  const result = await host.exec(observe(query), { timeoutMs: OBSERVE_TIMEOUT_MS })
  return parseObservation(result.stdout)
}
