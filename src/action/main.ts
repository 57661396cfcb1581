import * as core from '@actions/core'
import { apiUrlFromEnv } from '../gate/index.js'
import { failureAnnotations } from './annotations.js'
import type { DeployRequest } from '../engine/request.js'
import { EngineFailure, type EnginePort, type FailureDetail, type RunIO, type RunOutcome, type Target } from './engine-port.js'
import { resolveEvent, type EventContext } from './event.js'
import { GitHubClient } from '../github/index.js'
import { GitHubRecords } from './github/records.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { runExecStep } from './exec-step.js'
import { GroupedLog } from './log-groups.js'
import { runPlan } from './plan-command.js'
import { masked } from './mask.js'
import { deploymentRef, deployRequest, environmentName, newRunId, runUrl, toTarget } from './requests.js'
import { STATE } from './state.js'
import { renderSummary, summaryLinks } from './summary.js'
import { writeSummary } from './summary-file.js'
import { timedPhases, type PhaseTiming } from './timings.js'

export interface MainDeps {
  engine: EnginePort
  env?: NodeJS.ProcessEnv
  /** Aborted on SIGINT/SIGTERM (the runner cancelling the job). */
  signal: AbortSignal
  fetch?: typeof fetch
}

/** core's log functions as a sink for grouped engine output. */
export const coreSink = { info: core.info, warning: core.warning, debug: core.debug, startGroup: core.startGroup, endGroup: core.endGroup }

export function runIO(logs: GroupedLog, signal: AbortSignal, timings?: PhaseTiming[]): RunIO {
  return {
    log: logs.log,
    phase: timedPhases((name) => logs.phase(name), timings ?? []),
    mask: (value) => void masked(core.setSecret, value),
    lockState: (held) => {
      // Once the run went for the lock, a host may change: a cancelled run's Deployment is then a failure, not inactive.
      if (held) core.saveState(STATE.reached, 'true')
      core.saveState(STATE.lock, held ? 'maybe-held' : 'free')
    },
    signal,
  }
}

/**
 * The main step: inputs → event → GitHub Deployment → engine → outputs, summary, Deployment
 * status, PR comment, annotations. Throws only for input and event problems (before anything
 * ran); a failed run is reported here and sets the exit code.
 */
export async function runMain(deps: MainDeps): Promise<void> {
  const env = deps.env ?? process.env
  // Masks first: nothing below may print a secret before the runner knows it.
  const inputs = readInputs({ get: (name) => core.getInput(name), setSecret: core.setSecret })
  const event = resolveEvent(env, inputs.command, inputs.prNumber)
  const runId = newRunId(env)
  const started = Date.now()
  core.saveState(STATE.runId, runId)
  core.saveState(STATE.started, String(started))
  // A one-off command is no deployment: no GitHub Deployment, no lock, no summary table (exec-step.ts).
  if (inputs.command === 'exec') {
    await runExecStep(deps.engine, inputs, toTarget(inputs, runId, env), runIO(new GroupedLog(coreSink), deps.signal))
    core.saveState(STATE.mainDone, 'true')
    return
  }
  if (event.prNumber !== undefined && (inputs.command === 'preview-deploy' || inputs.command === 'preview-remove')) core.saveState(STATE.pr, String(event.prNumber))

  const environment = environmentName(inputs, event)
  core.saveState(STATE.sha, event.sha)
  core.saveState(STATE.environment, environment)
  const logUrl = runUrl(env)
  const gh = new GitHubClient({
    apiUrl: apiUrlFromEnv(env),
    token: inputs.githubToken,
    repository: event.repository,
    warn: (message) => core.warning(`cutover: ${message}`),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  })
  const records = new GitHubRecords(
    gh,
    { command: inputs.command, environment, sha: event.sha, prNumber: event.prNumber, commentKey: commentKey(inputs), ...(logUrl ? { logUrl } : {}) },
    (message) => core.warning(message),
  )
  core.info(`cutover ${inputs.command}: ${event.repository}@${event.sha.slice(0, 12)} (${event.eventName || 'no event'}) → ${environment}`)
  if (!gh.hasToken) core.notice('cutover: no github-token, so this run records no GitHub Deployment and writes no PR comment (the CI gate is off: wait-for-checks: false).')
  if (inputs.command === 'plan') {
    const planLogs = new GroupedLog(coreSink)
    const call = { ...toTarget(inputs, runId, env), request: deployRequest(inputs, event, runId, env, process.cwd()) }
    await runPlan({ engine: deps.engine, inputs, event, environment, call, io: runIO(planLogs, deps.signal), gh, ...(logUrl ? { logUrl } : {}), commentKey: commentKey(inputs) }).finally(() => planLogs.flush())
    core.saveState(STATE.mainDone, 'true')
    return
  }
  await records.start(deploymentRef(inputs, event), inputs.version ?? (inputs.command === 'rollback' ? undefined : event.sha))
  if (records.deployment !== undefined) core.saveState(STATE.deployment, String(records.deployment))

  const logs = new GroupedLog(coreSink)
  const timings: PhaseTiming[] = []
  let outcome: RunOutcome | undefined
  let failure: { message: string; detail: FailureDetail } | undefined
  try {
    outcome = await callEngine(deps.engine, inputs, event, toTarget(inputs, runId, env), () => deployRequest(inputs, event, runId, env, process.cwd()), runIO(logs, deps.signal, timings))
  } catch (err) {
    failure = describeFailure(err, deps.signal)
  } finally {
    logs.flush()
  }

  if (deps.signal.aborted) {
    // Cancelled: the post step (which runs after a cancel, and after a kill too) settles the
    // Deployment and writes the summary from what the hosts serve then; main says why it stopped.
    core.error(`cutover was cancelled; the post step settles the Deployment and reports what each host serves${failure && !/cancel/i.test(failure.message) ? ` (${failure.message})` : ''}.`)
    process.exitCode = 1
    return
  }
  const ok = !failure && !outcome?.result.hosts.some((h) => h.action === 'failed')
  if (outcome) writeOutputs(outcome)
  await records.finish(ok, outcome, failure?.message ?? outcome?.result.hosts.find((h) => h.error)?.error)
  await records.comment(ok, outcome)
  const links = summaryLinks(env, event.sha, records.deployment !== undefined ? environment : undefined)
  await writeSummary(
    renderSummary({ command: inputs.command, environment, ok, sha: event.sha, ...(outcome ? { outcome } : {}), ...(failure ? { failure } : {}), timings, totalMs: Date.now() - started, links }),
    core.warning,
  )
  if (!ok) {
    for (const a of failureAnnotations(failure, outcome)) {
      core.error(a.message, { title: a.title, ...(a.file ? { file: a.file } : {}), ...(a.startLine !== undefined ? { startLine: a.startLine } : {}) })
    }
    // A literal 1 (core.ExitCode.Failure): @github/local-action's stand-in for core has no ExitCode.
    process.exitCode = 1
  }
  core.saveState(STATE.mainDone, 'true')
}

/** Tells apart the sticky comments of several apps (config files, destinations) on one PR. */
const commentKey = (inputs: ActionInputs): string => `${inputs.configFile}${inputs.destination ? `@${inputs.destination}` : ''}`

function callEngine(engine: EnginePort, inputs: ActionInputs, event: EventContext, target: Target, request: () => DeployRequest, io: RunIO): Promise<RunOutcome> {
  switch (inputs.command) {
    case 'deploy':
      return engine.deploy({ ...target, request: request() }, io)
    case 'rollback':
      return engine.rollback({ ...target, request: request() }, io)
    case 'remove':
      return engine.remove(target, io)
    case 'preview-deploy':
      return engine.previewDeploy({ ...target, request: request(), pr: event.prNumber! }, io)
    case 'preview-remove':
      return engine.previewRemove({ ...target, pr: event.prNumber! }, io)
    case 'plan':
      // runMain hands plan to runPlan before it gets here.
      throw new Error('plan is not a deploy')
    case 'exec':
      throw new Error('command: exec runs through runExecStep, not as a deployment')
  }
}

function describeFailure(err: unknown, signal: AbortSignal): { message: string; detail: FailureDetail } {
  if (err instanceof EngineFailure) return { message: err.message, detail: err.detail }
  if (signal.aborted) return { message: 'cutover was cancelled; the post step releases the deploy lock if this run still holds it.', detail: { kind: 'other' } }
  // Not a failure the engine described: a bug. The message, never a stack, goes to the annotation.
  core.debug(err instanceof Error ? (err.stack ?? err.message) : String(err))
  return { message: `cutover failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, detail: { kind: 'other' } }
}

function writeOutputs(o: RunOutcome): void {
  core.setOutput('version', o.result.version)
  core.setOutput('image', o.result.image)
  core.setOutput('changed', o.result.changed ? 'true' : 'false')
  core.setOutput('url', o.url ?? '')
  core.setOutput('result', JSON.stringify(o.result))
}
