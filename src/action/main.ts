import { appendFile } from 'node:fs/promises'
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
import { masked } from './mask.js'
import { deploymentRef, deployRequest, environmentName, newRunId, runUrl, toTarget } from './requests.js'
import { STATE } from './state.js'
import { renderSummary } from './summary.js'

export interface MainDeps {
  engine: EnginePort
  env?: NodeJS.ProcessEnv
  /** Aborted on SIGINT/SIGTERM (the runner cancelling the job). */
  signal: AbortSignal
  fetch?: typeof fetch
}

/** core's log functions as a sink for grouped engine output. */
export const coreSink = { info: core.info, warning: core.warning, debug: core.debug, startGroup: core.startGroup, endGroup: core.endGroup }

export function runIO(logs: GroupedLog, signal: AbortSignal): RunIO {
  return {
    log: logs.log,
    phase: (name) => logs.phase(name),
    mask: (value) => void masked(core.setSecret, value),
    lockState: (held) => core.saveState(STATE.lock, held ? 'maybe-held' : 'free'),
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
  core.saveState(STATE.runId, runId)
  // A one-off command is no deployment: no GitHub Deployment, no lock, no summary table (exec-step.ts).
  if (inputs.command === 'exec') {
    await runExecStep(deps.engine, inputs, toTarget(inputs, runId, env), runIO(new GroupedLog(coreSink), deps.signal))
    core.saveState(STATE.mainDone, 'true')
    return
  }
  if (event.prNumber !== undefined && (inputs.command === 'preview-deploy' || inputs.command === 'preview-remove')) core.saveState(STATE.pr, String(event.prNumber))

  const environment = environmentName(inputs, event)
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
    { command: inputs.command, environment, sha: event.sha, prNumber: event.prNumber, commentKey: `${inputs.configFile}${inputs.destination ? `@${inputs.destination}` : ''}`, ...(logUrl ? { logUrl } : {}) },
    (message) => core.warning(message),
  )
  core.info(`cutover ${inputs.command}: ${event.repository}@${event.sha.slice(0, 12)} (${event.eventName || 'no event'}) → ${environment}`)
  await records.start(deploymentRef(inputs, event), inputs.version ?? (inputs.command === 'rollback' ? undefined : event.sha))

  const logs = new GroupedLog(coreSink)
  let outcome: RunOutcome | undefined
  let failure: { message: string; detail: FailureDetail } | undefined
  try {
    outcome = await callEngine(deps.engine, inputs, event, toTarget(inputs, runId, env), () => deployRequest(inputs, event, runId, env, process.cwd()), runIO(logs, deps.signal))
  } catch (err) {
    failure = describeFailure(err, deps.signal)
  } finally {
    logs.flush()
  }

  const ok = !failure && !outcome?.result.hosts.some((h) => h.action === 'failed')
  if (outcome) writeOutputs(outcome)
  await records.finish(ok, outcome, failure?.message ?? outcome?.result.hosts.find((h) => h.error)?.error)
  await records.comment(ok, outcome)
  await writeSummary(renderSummary({ command: inputs.command, environment, ok, sha: event.sha, ...(outcome ? { outcome } : {}), ...(failure ? { failure } : {}) }))
  if (!ok) {
    for (const a of failureAnnotations(failure, outcome)) {
      core.error(a.message, { title: a.title, ...(a.file ? { file: a.file } : {}), ...(a.startLine !== undefined ? { startLine: a.startLine } : {}) })
    }
    // A literal 1 (core.ExitCode.Failure): @github/local-action's stand-in for core has no ExitCode.
    process.exitCode = 1
  }
  core.saveState(STATE.mainDone, 'true')
}

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

async function writeSummary(markdown: string): Promise<void> {
  // Appended directly rather than through core.summary, whose file path is cached process-wide.
  // Outside a runner (no GITHUB_STEP_SUMMARY) there is nowhere to write it; that is not an error.
  const file = process.env.GITHUB_STEP_SUMMARY
  if (!file) return
  try {
    await appendFile(file, `${markdown}\n`, 'utf8')
  } catch (err) {
    core.warning(`cutover: could not write the job summary: ${(err as Error).message}`)
  }
}
