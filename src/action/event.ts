import { readFileSync } from 'node:fs'
import { actionDocsUrl } from '../project.js'
import type { ActionCommand } from './inputs.js'

/** Where the run comes from: which commit to gate, build and deploy, and which PR it is for. */
export interface EventContext {
  eventName: string
  /** `owner/name` of the repository the workflow runs in. */
  repository: string
  /** The commit for the version, the gate and the clone. */
  sha: string
  prNumber?: number
  /** The PR's head lives in another repository (a fork). */
  fromFork: boolean
  /** The pull_request event's action (opened, synchronize, closed...), if any. */
  action?: string
}

/** Event refusals and missing context: the message says why and what to do instead. */
export class EventError extends Error {
  override name = 'EventError'
}

interface Repo {
  full_name?: string
}
interface PullRequestPayload {
  number?: number
  action?: string
  pull_request?: { number?: number; head?: { sha?: string; repo?: Repo | null }; base?: { repo?: Repo | null } }
  workflow_run?: { head_sha?: string; head_repository?: Repo | null; pull_requests?: { number?: number }[] }
  repository?: Repo
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'])

export const FORK_HELP =
  'Pull requests from forks run without secrets (no SSH key, no registry password), so cutover cannot deploy them from a `pull_request` workflow. ' +
  'Safe patterns: (1) `on: pull_request_target` with `types: [labeled]` and the job gated on that label event ' +
  "(`if: github.event.action == 'labeled' && github.event.label.name == 'preview'`), checking out `github.event.pull_request.head.sha` with `persist-credentials: false`: " +
  'a maintainer adds the label after reading the code, which approves that commit only (a later push is not deployed until the label is added again; ' +
  'a gate on the label merely being present would deploy every later push); or (2) build and test in the `pull_request` workflow and deploy from ' +
  'a second workflow `on: workflow_run`, passing `pr-number`. Production secrets never reach previews unless `x-cutover.preview.inherit_secrets: true`. ' +
  `See ${actionDocsUrl('pull-requests-from-forks')} (the example workflow preview-from-forks.yml).`

/**
 * Resolves the event the runner describes (GITHUB_EVENT_NAME, GITHUB_SHA and the payload at
 * GITHUB_EVENT_PATH). On pull requests the head commit is used, never GITHUB_SHA: that is the
 * test merge commit, which has no checks of its own and is not what the author pushed.
 */
export function resolveEvent(env: NodeJS.ProcessEnv, command: ActionCommand, prNumberInput?: number): EventContext {
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  const repository = env.GITHUB_REPOSITORY ?? ''
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new EventError('GITHUB_REPOSITORY is not set to "owner/name": run cutover as a step of a GitHub Actions workflow.')
  const payload = readPayload(env.GITHUB_EVENT_PATH)

  let sha = env.GITHUB_SHA ?? ''
  let prNumber: number | undefined
  let fromFork = false
  if (PR_EVENTS.has(eventName)) {
    const pr = payload.pull_request
    if (!pr?.head?.sha) throw new EventError(`the ${eventName} event payload has no pull_request.head.sha; is GITHUB_EVENT_PATH the runner's event file?`)
    sha = pr.head.sha
    prNumber = pr.number ?? payload.number
    const head = pr.head.repo?.full_name
    // A deleted fork leaves head.repo null: still not this repository.
    fromFork = head === undefined || head.toLowerCase() !== (pr.base?.repo?.full_name ?? repository).toLowerCase()
  } else if (eventName === 'workflow_run' && payload.workflow_run?.head_sha) {
    sha = payload.workflow_run.head_sha
    prNumber = payload.workflow_run.pull_requests?.[0]?.number
    const head = payload.workflow_run.head_repository?.full_name
    fromFork = head !== undefined && head.toLowerCase() !== repository.toLowerCase()
  }
  if (prNumberInput !== undefined) prNumber = prNumberInput
  if (!/^[0-9a-f]{40}$/i.test(sha)) throw new EventError(`no commit to deploy: GITHUB_SHA is ${JSON.stringify(sha)}; run cutover as a step of a GitHub Actions workflow.`)

  // Only `pull_request` itself runs fork code without secrets; pull_request_target and
  // workflow_run are the deliberate, reviewed paths.
  if (eventName === 'pull_request' && fromFork) throw new EventError(`pull request #${prNumber} comes from a fork. ${FORK_HELP}`)

  if (command === 'preview-deploy' || command === 'preview-remove' || command === 'plan') {
    if (prNumber === undefined) {
      throw new EventError(
        `${command} needs a pull request number, and the ${eventName || 'current'} event has none: run it on \`pull_request\` events, or pass \`pr-number\`.`,
      )
    }
    if (command === 'preview-deploy' && payload.action === 'closed' && PR_EVENTS.has(eventName)) {
      throw new EventError(`pull request #${prNumber} is closed: use \`command: preview-remove\` for the \`closed\` event (see docs/workflows/preview.yml).`)
    }
  }
  return { eventName, repository, sha: sha.toLowerCase(), prNumber, fromFork, action: payload.action }
}

function readPayload(path: string | undefined): PullRequestPayload {
  if (!path) return {}
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PullRequestPayload
  } catch (err) {
    throw new EventError(`could not read the event payload at GITHUB_EVENT_PATH (${path}): ${(err as Error).message}`)
  }
}
