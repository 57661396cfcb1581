import type { HostState } from '../commands/observation.js'
import type { DesiredRole } from './desired.js'
import { plan, type PlanResult } from './plan.js'
import type { Step, StepKind } from './steps.js'

export interface HostPlan {
  roles: { role: string; result: PlanResult }[]
  /** Every role's steps in role order, host-level steps only once. */
  steps: Step[]
}

/** Steps that act on the host, not the role: two roles on one host need them once. */
const HOST_LEVEL: ReadonlySet<StepKind> = new Set(['createNetwork', 'mkdir', 'runProxy', 'startProxy', 'login', 'pull', 'removeImages', 'pruneImages'])

/**
 * Plan every role on one host from one observation. Roles run in the order given (put the
 * primary role first); a host-level step a later role also wants is not repeated.
 */
export function planHost(roles: readonly DesiredRole[], seen: HostState): HostPlan {
  const results = roles.map((d) => ({ role: d.role, result: plan(d, seen) }))
  const done = new Set<string>()
  const steps: Step[] = []
  for (const { result } of results) {
    for (const step of result.steps) {
      if (HOST_LEVEL.has(step.kind) && 'exec' in step) {
        const key = JSON.stringify([step.kind, step.exec.argv])
        if (done.has(key)) continue
        done.add(key)
      }
      steps.push(step)
    }
  }
  return { roles: results, steps }
}
