import { randomBytes } from 'node:crypto'
import { performer, skipsBuild, type DeployRequest } from '../engine/request.js'
import { apiUrlFromEnv, type GateOptions } from '../gate/index.js'
import type { Target } from './engine-port.js'
import type { EventContext } from './event.js'
import { gateEnabled, type ActionInputs } from './inputs.js'

/** The GitHub environment a command records its deployments under. */
export function environmentName(inputs: Pick<ActionInputs, 'command' | 'destination'>, event: Pick<EventContext, 'prNumber'>): string {
  if (inputs.command === 'preview-deploy' || inputs.command === 'preview-remove') return `pr-${event.prNumber}`
  return inputs.destination ?? 'production'
}

/** The workflow run's page: where deployment statuses and comments send people for the log. */
export function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: attempt } = env
  if (!server || !repo || !id) return undefined
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}`
}

/**
 * The value on the lock's `run:` line. It starts with the run id and attempt, for people, and
 * ends with a nonce: matrix jobs of one run share GITHUB_RUN_ID, and one job's post step must
 * never release a lock its sibling holds.
 */
export function newRunId(env: NodeJS.ProcessEnv, nonce: string = randomBytes(4).toString('hex')): string {
  const id = env.GITHUB_RUN_ID?.trim()
  return id ? `${id}-${env.GITHUB_RUN_ATTEMPT?.trim() || '1'}-${nonce}` : `local-${nonce}`
}

export function toTarget(inputs: ActionInputs, runId: string, env: NodeJS.ProcessEnv): Target {
  const url = runUrl(env)
  return {
    configFile: inputs.configFile,
    ...(inputs.destination ? { destination: inputs.destination } : {}),
    ...(inputs.sshPrivateKey ? { sshPrivateKey: inputs.sshPrivateKey } : {}),
    knownHosts: inputs.knownHosts,
    env: inputs.secrets,
    ...(inputs.registry ? { registry: inputs.registry } : {}),
    ...(inputs.allowUnreachable ? { allowUnreachable: true } : {}),
    run: { id: runId, ...(url ? { url } : {}) },
    ...(inputs.breakStaleLock ? { breakStaleLock: true } : {}),
    ...(inputs.configless ? { configless: inputs.configless } : {}),
    ...(inputs.maxConnections !== undefined ? { maxConnections: inputs.maxConnections } : {}),
  }
}

/**
 * The inputs as the engine's one DeployRequest (deploy, preview-deploy, rollback). The commit
 * built is the event's (a PR's head, never its merge commit); a preview's version defaults to
 * it, so the preview's tag is the head SHA; a rollback names its version and builds nothing
 * (and its hooks see KAMAL_COMMAND=rollback; a deploy's and a preview's see `deploy`).
 */
export function deployRequest(inputs: ActionInputs, event: EventContext, runId: string, env: NodeJS.ProcessEnv, appDir: string): DeployRequest {
  const url = runUrl(env)
  const gate = gateOptions(inputs, event, env)
  // `skip-hooks` (Kamal's --skip-hooks): the adapter's hooksFor reads it from the request.
  const who = { appDir, performer: performer(env), run: runId, ...(url ? { message: `cutover run ${url}` } : {}), ...(gate ? { gate } : {}), ...(inputs.breakStaleLock ? { breakStale: true } : {}), ...(inputs.allowUnreachable ? { allowUnreachable: true } : {}), ...(inputs.skipHooks ? { skipHooks: true } : {}) }
  if (inputs.command === 'rollback') return { ...who, version: inputs.version!, skipBuild: true, command: 'rollback' }
  // Config-less (`image`): nothing to build, the image's tag is the version, no app hooks to run.
  if (inputs.configless) return { ...who, ref: event.sha, version: inputs.configless.tag, skipBuild: true, skipHooks: true }
  const preview = inputs.command === 'preview-deploy'
  const version = inputs.version ?? (preview ? event.sha : undefined)
  return { ...who, ref: event.sha, ...(version ? { version } : {}), skipBuild: skipsBuild(inputs) }
}

/** The gate's options, or undefined when this command does not wait for CI. */
export function gateOptions(inputs: ActionInputs, event: EventContext, env: NodeJS.ProcessEnv): GateOptions | undefined {
  if (!gateEnabled(inputs)) return undefined
  return {
    apiUrl: apiUrlFromEnv(env),
    token: inputs.githubToken,
    repository: event.repository,
    // A rollback (when asked to wait) gates the commit it goes back to, when its version is one.
    sha: deploymentRef(inputs, event),
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
    required: inputs.gate.checks,
    allowedConclusions: inputs.gate.allowedConclusions,
    timeoutMs: inputs.gate.timeoutMs,
  }
}

/**
 * Only a full 40-hex version counts as a commit SHA: tags such as `20240612` or `deadbeef` are
 * hex too, and an abbreviated SHA is neither what the checks API nor a Deployment's ref wants.
 */
const COMMIT_SHA = /^[0-9a-f]{40}$/i

/** A Deployment's ref must exist in the repository: a rollback version that is a commit SHA is one. */
export function deploymentRef(inputs: Pick<ActionInputs, 'command' | 'version'>, event: Pick<EventContext, 'sha'>): string {
  if (inputs.command === 'rollback' && inputs.version && COMMIT_SHA.test(inputs.version)) return inputs.version.toLowerCase()
  return event.sha
}
