import type { Purpose } from './http.js'
import type { GitHubClient } from './writer.js'

/**
 * GitHub Deployments for the environment cutover deploys to. They are a record for people
 * (the repository's Environments page, the PR's "deployed" badge), not a gate: cutover's own
 * gate has already run, so GitHub is told to check nothing (`required_contexts: []`) and to
 * merge nothing (`auto_merge: false`).
 */
const WRITE: Purpose = { what: 'write deployments', permission: 'deployments: write' }
const READ: Purpose = { what: 'list deployments', permission: 'deployments: read' }

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive'

export interface NewDeployment {
  ref: string
  environment: string
  description: string
  /** Previews: GitHub shows an inactive transient environment as destroyed. */
  transient: boolean
  payload: Record<string, string>
}

/** GitHub caps a deployment status description at 140 characters. */
const MAX_DESCRIPTION = 140

export async function createDeployment(gh: GitHubClient, d: NewDeployment): Promise<number> {
  const body = {
    ref: d.ref,
    task: 'deploy',
    environment: d.environment,
    description: clip(d.description),
    required_contexts: [],
    auto_merge: false,
    transient_environment: d.transient,
    production_environment: d.environment === 'production',
    payload: d.payload,
  }
  const created = await gh.request<{ id?: number; message?: string }>('POST', `${gh.repoPath}/deployments`, WRITE, body)
  // 202 (a merge was attempted) carries no id; with auto_merge off it should not happen.
  if (typeof created.id !== 'number') throw new Error(`GitHub did not create the deployment: ${created.message ?? 'no id in the answer'}`)
  return created.id
}

export interface StatusUpdate {
  state: DeploymentState
  description: string
  /** The run's log page. */
  logUrl?: string
  /** The app, for success. */
  environmentUrl?: string
}

export async function setDeploymentStatus(gh: GitHubClient, id: number, s: StatusUpdate): Promise<void> {
  await gh.request('POST', `${gh.repoPath}/deployments/${id}/statuses`, WRITE, {
    state: s.state,
    description: clip(s.description),
    ...(s.logUrl ? { log_url: s.logUrl } : {}),
    ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
    // Older deployments of this environment go inactive when this one succeeds.
    ...(s.state === 'success' ? { auto_inactive: true } : {}),
  })
}

/** Marks every deployment of `environment` inactive (a preview or app that was removed). Returns how many. */
export async function deactivateEnvironment(gh: GitHubClient, environment: string, description: string, logUrl?: string): Promise<number> {
  const list = await gh.list<{ id: number }>(`${gh.repoPath}/deployments?environment=${encodeURIComponent(environment)}`, READ)
  for (const d of list) await setDeploymentStatus(gh, d.id, { state: 'inactive', description, ...(logUrl ? { logUrl } : {}) })
  return list.length
}

function clip(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`
}
