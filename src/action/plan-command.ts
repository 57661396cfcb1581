import * as core from '@actions/core'
import { stickyMarker, upsertStickyComment, type GitHubClient } from '../github/index.js'
import { EngineFailure, type EnginePort, type PlanOutcome, type RunIO } from './engine-port.js'
import type { EventContext } from './event.js'
import type { ActionInputs } from './inputs.js'
import { planChanges, planOk, renderPlan } from './plan-render.js'
import { writeSummary } from './summary-file.js'

export interface PlanRun {
  engine: EnginePort
  inputs: ActionInputs
  event: EventContext
  environment: string
  call: Parameters<EnginePort['plan']>[0]
  io: RunIO
  gh: GitHubClient
  logUrl?: string
  commentKey: string
}

/**
 * `command: plan` on a pull request: the engine's read-only plan of a deploy of the PR's head,
 * kept in one sticky PR comment (its own marker, beside a preview's) and the job summary. No
 * Deployment is recorded: nothing is deployed. The step fails only when a host could not be planned.
 */
export async function runPlan(r: PlanRun): Promise<void> {
  const pr = r.event.prNumber!
  let plan: PlanOutcome | undefined
  let error: string | undefined
  try {
    plan = await r.engine.plan(r.call, r.io)
  } catch (err) {
    error = err instanceof EngineFailure ? err.message : `cutover plan failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`
  }
  const body = renderPlan({ pr, sha: r.event.sha, environment: r.environment, ...(r.logUrl ? { logUrl: r.logUrl } : {}) }, plan, error)
  if (plan) {
    core.setOutput('version', plan.version)
    core.setOutput('changed', planChanges(plan) > 0 ? 'true' : 'false')
    core.setOutput('result', JSON.stringify(plan))
  }
  try {
    await upsertStickyComment(r.gh, pr, stickyMarker(r.commentKey, 'plan'), body)
  } catch (err) {
    core.warning(`cutover: could not comment on the pull request: ${(err as Error).message} The plan is in the job summary.`)
  }
  await writeSummary(body, core.warning)
  if (error || (plan && !planOk(plan))) {
    core.error(error ?? `cutover plan: ${plan!.hosts.filter((h) => h.error).map((h) => `${h.host}: ${h.error}`).join('; ')}`, { title: 'cutover plan' })
    process.exitCode = 1
  }
}
