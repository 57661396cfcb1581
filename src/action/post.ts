import * as core from '@actions/core'
import { apiUrlFromEnv } from '../gate/index.js'
import { GitHubClient, setDeploymentStatus } from '../github/index.js'
import type { EnginePort, LockRelease, RetainedVersions } from './engine-port.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { GroupedLog } from './log-groups.js'
import { coreSink, runIO } from './main.js'
import { runUrl, toTarget } from './requests.js'
import { STATE } from './state.js'
import { summaryLinks } from './summary.js'
import { writeSummary } from './summary-file.js'
import { cancelledDeploymentState, renderCancelledSummary } from './summary-stopped.js'

export interface PostDeps {
  engine: EnginePort
  env?: NodeJS.ProcessEnv
  signal: AbortSignal
}

/**
 * The post step. When main reached its end and released its lock, it does nothing and prints
 * nothing (a debug line at most). Otherwise:
 * - the main step may have died holding the deploy lock: release it, only if its `run:` line is
 *   this job's id;
 * - main was cancelled or killed before it reported (a runner's cancel, act's SIGKILL): settle
 *   the GitHub Deployment it left `in_progress` (`failure` when the run had gone for the hosts,
 *   `inactive` when it stopped before) and write a job summary saying it was cancelled and what
 *   each host serves now.
 */
export async function runPost(deps: PostDeps): Promise<void> {
  const lock = core.getState(STATE.lock)
  const runId = core.getState(STATE.runId)
  const mainDone = core.getState(STATE.mainDone) === 'true'
  if (!runId || (mainDone && lock !== 'maybe-held')) {
    core.debug(`cutover post: nothing to clean up (lock state: ${lock || 'none'})`)
    return
  }
  // The inputs are masked again: the post step is a new process with its own log.
  const inputs = readInputs({ get: (name) => core.getInput(name), setSecret: core.setSecret })
  const env = deps.env ?? process.env
  const pr = Number(core.getState(STATE.pr)) || undefined
  const request = { ...toTarget(inputs, runId, env), ...(pr ? { pr } : {}) }
  const logs = new GroupedLog(coreSink)
  const io = runIO(logs, deps.signal)

  let released: LockRelease | { error: string } | undefined
  if (lock === 'maybe-held') {
    core.info(`cutover: the main step stopped while it may have held the deploy lock; checking it (run ${runId})`)
    try {
      const r = await deps.engine.releaseLockIfOwned(request, io)
      logs.flush()
      released = r
      if (r.outcome === 'released') core.info(`cutover: released the deploy lock this run held:\n${r.details}`)
      else if (r.outcome === 'not-held') core.info('cutover: no deploy lock is held; nothing to release')
      else core.info(`cutover: the deploy lock belongs to someone else; left it alone:\n${r.details}`)
      core.saveState(STATE.lock, 'free')
    } catch (err) {
      logs.flush()
      released = { error: (err as Error).message }
      core.setFailed(
        `cutover: could not check or release the deploy lock this run may hold: ${(err as Error).message}\n` +
          `Release it by hand once you have checked nobody is deploying: \`cutover lock release -c ${inputs.configFile}${inputs.destination ? ` -d ${inputs.destination}` : ''}\` (or \`kamal lock release\`).`,
      )
    }
  }
  if (!mainDone) await reportStopped(deps, inputs, env, io, logs, request, released)
}

/** After a cancel or kill: what the hosts serve, the Deployment settled, and the summary. */
async function reportStopped(deps: PostDeps, inputs: ActionInputs, env: NodeJS.ProcessEnv, io: ReturnType<typeof runIO>, logs: GroupedLog, request: Parameters<EnginePort['serving']>[0], released: LockRelease | { error: string } | undefined): Promise<void> {
  const reached = core.getState(STATE.reached) === 'true'
  const environment = core.getState(STATE.environment) || 'production'
  const sha = core.getState(STATE.sha) || env.GITHUB_SHA || ''
  const started = Number(core.getState(STATE.started))
  core.info(`cutover: the main step of this ${inputs.command} was cancelled or killed ${reached ? 'while deploying' : 'before it touched any host'}; reading what each host serves`)
  let serving: RetainedVersions[] | { error: string }
  try {
    serving = await deps.engine.serving(request, io)
  } catch (err) {
    serving = { error: (err as Error).message }
  } finally {
    logs.flush()
  }
  for (const r of 'error' in serving ? [] : serving) core.info(`cutover: ${r.host} ${r.role} serves ${r.versions.filter((v) => v.running).map((v) => v.version).join(', ') || 'nothing'}`)

  const id = Number(core.getState(STATE.deployment)) || undefined
  const state = cancelledDeploymentState(reached)
  if (id !== undefined) {
    const gh = new GitHubClient({ apiUrl: apiUrlFromEnv(env), token: inputs.githubToken, repository: env.GITHUB_REPOSITORY ?? '', warn: (m) => core.warning(`cutover: ${m}`) })
    const logUrl = runUrl(env)
    try {
      await setDeploymentStatus(gh, id, {
        state,
        description: reached ? 'Cancelled while deploying; the job summary says what each host serves' : 'Cancelled before any host was touched',
        ...(logUrl ? { logUrl } : {}),
      })
      core.info(`cutover: marked the deployment ${state}`)
    } catch (err) {
      core.warning(`cutover: could not mark the deployment ${state}: ${(err as Error).message}`)
    }
  }
  await writeSummary(
    renderCancelledSummary({
      command: inputs.command,
      environment,
      sha,
      reached,
      serving,
      ...(released ? { lock: released } : {}),
      ...(id !== undefined ? { deployment: state } : {}),
      ...(Number.isFinite(started) && started > 0 ? { elapsedMs: Date.now() - started } : {}),
      links: summaryLinks(env, sha, id !== undefined ? environment : undefined),
    }),
    core.warning,
    env,
  )
}
