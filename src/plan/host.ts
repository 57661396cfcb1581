import type { HostState } from '../argv/observation.js'
import { HostClaimedError, holderMessage, hostHolders } from './claims.js'
import type { DesiredRole } from './desired.js'
import { plan, type PlanResult } from './plan.js'
import type { Step, StepKind } from './steps.js'

export interface HostPlan {
  /** Each role's own steps, minus host-level steps an earlier role already carries. */
  roles: { role: string; result: PlanResult; steps: Step[] }[]
  /** Every role's steps in role order, host-level steps only once. */
  steps: Step[]
}

/** Steps that act on the host, not the role: two roles on one host need them once. */
const HOST_LEVEL: ReadonlySet<StepKind> = new Set(['ensureNetwork', 'mkdir', 'runProxy', 'startProxy', 'pull', 'removeImages', 'pruneImages'])

/**
 * Plan every role on one host from one observation. Roles run in the order given (put the
 * primary role first); a host-level step a later role also wants is not repeated.
 */
export function planHost(roles: readonly DesiredRole[], seen: HostState): HostPlan {
  // A host name another service serves here: kamal-proxy would refuse the switch only after the
  // new container ran, so the run stops now, before any change, naming the holder.
  for (const d of roles) {
    const holders = hostHolders(d, seen)
    if (holders.length) throw new HostClaimedError(holderMessage(d, holders))
  }
  const done = new Set<string>()
  const firstTime = (step: Step): boolean => {
    if (!HOST_LEVEL.has(step.kind) || !('exec' in step)) return true
    const key = JSON.stringify([step.kind, step.exec.argv])
    if (done.has(key)) return false
    done.add(key)
    return true
  }
  const results = roles.map((d) => {
    const result = plan(d, seen)
    return { role: d.role, result, steps: result.steps.filter(firstTime) }
  })
  return { roles: results, steps: results.flatMap((r) => r.steps) }
}
