import * as docker from '../argv/docker.js'
import type { DesiredRole } from './desired.js'
import type { Step } from './steps.js'

/** Steps that bring up or gate the new container: recreate stops the old one before the first. */
const NEW_CONTAINER: ReadonlySet<Step['kind']> = new Set(['rename', 'run', 'start', 'proxyDeploy', 'awaitHealthy'])
/** The step after which the new container serves (or, without the proxy, runs). */
const GATES: ReadonlySet<Step['kind']> = new Set(['proxyDeploy', 'awaitHealthy'])

/**
 * The role's steps in the order its strategy asks for. Pure, like the rest of the planner.
 *
 * blue-green (the default): as planned: the new container runs beside the old one, is health-gated
 * and switched to (or, without the proxy, is running), and only then is the old one stopped; the
 * stop is best-effort because traffic already moved.
 *
 * recreate: everything that does not touch the old container (pull, env file) still comes first,
 * then the old containers stop, then the new one runs and is gated. The stop is no longer
 * best-effort (a container that would not stop must not share the role with the new one) and
 * carries `restore`, the `docker start` that brings the old containers back if anything after it
 * fails: a failed recreate still ends with the old version serving. The old containers are only
 * stopped, never removed here, so they stay retained for rollback; the new container carries its
 * labels (version, digest) from `docker run` on, so a run killed mid-way leaves it findable and the
 * next run reuses it instead of orphaning it.
 */
export function arrangeForStrategy(d: Pick<DesiredRole, 'strategy'>, steps: readonly Step[], stoppedIds: readonly string[]): Step[] {
  if (d.strategy === 'blue-green') return [...steps]
  const at = steps.findIndex((s) => s.kind === 'stop')
  const stop = steps[at]
  // Nothing of the role runs: a boot, or a stopped one to start again; no downtime to cause.
  if (!stop || stop.kind !== 'stop') return [...steps]
  const { bestEffort: _unused, ...rest } = stop
  const early: Step = { ...rest, downtime: 'starts', restore: { argv: docker.start(...stoppedIds) } }
  const others = steps.filter((_, i) => i !== at)
  const first = others.findIndex((s) => NEW_CONTAINER.has(s.kind))
  const where = first < 0 ? at : first
  const out = [...others.slice(0, where), early, ...others.slice(where)]
  // Downtime ends with the gate; with no gate, with the start; with neither (a running container
  // reused), the executor ends it with the stop itself.
  const gate = lastIndex(out, (s) => GATES.has(s.kind))
  const end = gate >= 0 ? gate : lastIndex(out, (s) => s.kind === 'run' || s.kind === 'start')
  if (end >= 0) out[end] = { ...out[end]!, downtime: 'ends' }
  return out
}

function lastIndex<T>(list: readonly T[], test: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i
  return -1
}
