/**
 * Complete Deployment, deployment status and issue comment objects (every field GitHub's
 * description requires), for the routes the Action uses.
 */
import { API, simpleUser, WEB } from './fixtures.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

/** Who the Action's token acts as: GITHUB_TOKEN is the github-actions bot (its URLs escape the brackets). */
export function actionsBot(): Record<string, unknown> {
  const login = 'github-actions[bot]'
  const escaped = encodeURIComponent(login)
  return Object.fromEntries(Object.entries(simpleUser(login, 41898282, 'Bot')).map(([k, v]) => [k, k !== 'login' && typeof v === 'string' ? v.split(login).join(escaped) : v]))
}

export interface Deployment extends Record<string, unknown> {
  id: number
  sha: string
  ref: string
  environment: string
  description: string | null
  payload: Record<string, unknown> | string
  transient_environment: boolean
  production_environment: boolean
}

export function deployment(owner: string, repo: string, id: number, sha: string, body: Record<string, unknown>, nowIso: string): Deployment {
  const r = `${API}/repos/${owner}/${repo}`
  const environment = typeof body.environment === 'string' ? body.environment : 'production'
  return {
    url: `${r}/deployments/${id}`,
    id,
    node_id: b64(`DE_${id}`),
    sha,
    ref: String(body.ref),
    task: typeof body.task === 'string' ? body.task : 'deploy',
    payload: (body.payload as Record<string, unknown> | string | undefined) ?? {},
    original_environment: environment,
    environment,
    description: typeof body.description === 'string' ? body.description : '',
    creator: actionsBot(),
    created_at: nowIso,
    updated_at: nowIso,
    statuses_url: `${r}/deployments/${id}/statuses`,
    repository_url: r,
    transient_environment: body.transient_environment === true,
    // GitHub's default: production when the environment is called production.
    production_environment: typeof body.production_environment === 'boolean' ? body.production_environment : environment === 'production',
  }
}

export interface DeploymentStatus extends Record<string, unknown> {
  id: number
  state: string
  description: string
  environment: string
  log_url?: string
  environment_url?: string
}

export function deploymentStatus(owner: string, repo: string, d: Deployment, id: number, body: Record<string, unknown>, nowIso: string): DeploymentStatus {
  const r = `${API}/repos/${owner}/${repo}`
  const logUrl = typeof body.log_url === 'string' ? body.log_url : typeof body.target_url === 'string' ? body.target_url : ''
  return {
    url: `${r}/deployments/${d.id}/statuses/${id}`,
    id,
    node_id: b64(`DES_${id}`),
    state: String(body.state),
    creator: actionsBot(),
    description: typeof body.description === 'string' ? body.description : '',
    environment: typeof body.environment === 'string' ? body.environment : d.environment,
    target_url: logUrl,
    created_at: nowIso,
    updated_at: nowIso,
    deployment_url: `${r}/deployments/${d.id}`,
    repository_url: r,
    // Optional fields appear only when set: an empty string would not be a "uri".
    ...(typeof body.environment_url === 'string' && body.environment_url ? { environment_url: body.environment_url } : {}),
    ...(logUrl ? { log_url: logUrl } : {}),
  }
}

export interface IssueComment extends Record<string, unknown> {
  id: number
  body: string
}

export function issueComment(owner: string, repo: string, issue: number, id: number, body: string, nowIso: string, user = actionsBot()): IssueComment {
  return {
    id,
    node_id: b64(`IC_${id}`),
    url: `${API}/repos/${owner}/${repo}/issues/comments/${id}`,
    body,
    html_url: `${WEB}/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
    issue_url: `${API}/repos/${owner}/${repo}/issues/${issue}`,
    user,
    created_at: nowIso,
    updated_at: nowIso,
    author_association: 'NONE',
  }
}
