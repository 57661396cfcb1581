import { randomBytes } from 'node:crypto'
import { hiddenKey, parseObservation, type HostState } from '../argv/observation.js'
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
  const state = parseObservation(result.stdout)
  // A host with no settings key yet gets a random one (the plan writes it, 0600, before it is used).
  if (state.look === 'full' && !state.settingsKey) return { ...state, settingsKey: hiddenKey(randomBytes(32).toString('hex')), settingsStored: false }
  return state
}
