/**
 * Builders for complete GitHub REST objects. Complete means every field the description
 * marks required, so responses pass the server's OpenAPI check; tests only say what matters.
 */

export const API = 'https://api.github.com'
export const WEB = 'https://github.com'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

export function simpleUser(login: string, id: number, type: 'User' | 'Organization' | 'Bot' = 'User'): Record<string, unknown> {
  const u = `${API}/users/${login}`
  return {
    login,
    id,
    node_id: b64(`04:User${id}`),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: u,
    html_url: `${WEB}/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type,
    site_admin: false,
  }
}

export function minimalRepository(owner: string, name: string, id: number): Record<string, unknown> {
  const r = `${API}/repos/${owner}/${name}`
  const templated = {
    archive_url: '{archive_format}{/ref}', assignees_url: 'assignees{/user}', blobs_url: 'git/blobs{/sha}',
    branches_url: 'branches{/branch}', collaborators_url: 'collaborators{/collaborator}', comments_url: 'comments{/number}',
    commits_url: 'commits{/sha}', compare_url: 'compare/{base}...{head}', contents_url: 'contents/{+path}',
    git_commits_url: 'git/commits{/sha}', git_refs_url: 'git/refs{/sha}', git_tags_url: 'git/tags{/sha}',
    issue_comment_url: 'issues/comments{/number}', issue_events_url: 'issues/events{/number}', issues_url: 'issues{/number}',
    keys_url: 'keys{/key_id}', labels_url: 'labels{/name}', milestones_url: 'milestones{/number}',
    notifications_url: 'notifications{?since,all,participating}', pulls_url: 'pulls{/number}', releases_url: 'releases{/id}',
    statuses_url: 'statuses/{sha}', trees_url: 'git/trees{/sha}',
    contributors_url: 'contributors', deployments_url: 'deployments', downloads_url: 'downloads', events_url: 'events',
    forks_url: 'forks', hooks_url: 'hooks', languages_url: 'languages', merges_url: 'merges', stargazers_url: 'stargazers',
    subscribers_url: 'subscribers', subscription_url: 'subscription', tags_url: 'tags', teams_url: 'teams',
  }
  return {
    id,
    node_id: b64(`010:Repository${id}`),
    name,
    full_name: `${owner}/${name}`,
    owner: simpleUser(owner, id + 1000),
    private: false,
    html_url: `${WEB}/${owner}/${name}`,
    description: null,
    fork: false,
    url: r,
    ...Object.fromEntries(Object.entries(templated).map(([k, tail]) => [k, `${r}/${tail}`])),
  }
}

/** The app that owns Actions check runs. */
export function githubActionsApp(): Record<string, unknown> {
  return {
    id: 15368,
    slug: 'github-actions',
    node_id: b64('03:App15368'),
    owner: simpleUser('github', 9919, 'Organization'),
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: 'https://help.github.com/en/actions',
    html_url: `${WEB}/apps/github-actions`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2024-04-10T20:33:16Z',
    permissions: { checks: 'write', metadata: 'read', statuses: 'write' },
    events: ['check_run', 'push', 'pull_request'],
  }
}

export type CheckRunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'

export interface CheckRunSpec {
  name: string
  status?: CheckRunStatus
  conclusion?: string | null
  /** An Actions job: links go to `/actions/runs/<runId>/job/<jobId>`. */
  actions?: { runId: number; jobId: number }
  /** Another CI app's page for the check (when not an Actions job). */
  detailsUrl?: string
}

/** What the server keeps for a check run; the test flips status/conclusion as CI "runs". */
export interface CheckRun extends Record<string, unknown> {
  id: number
  name: string
  status: CheckRunStatus
  conclusion: string | null
  started_at: string | null
  completed_at: string | null
}

export function checkRun(owner: string, repo: string, sha: string, id: number, spec: CheckRunSpec, nowIso: string): CheckRun {
  const status = spec.status ?? 'queued'
  const jobUrl = spec.actions ? `${WEB}/${owner}/${repo}/actions/runs/${spec.actions.runId}/job/${spec.actions.jobId}` : null
  const html = jobUrl ?? `${WEB}/${owner}/${repo}/runs/${id}`
  return {
    id,
    head_sha: sha,
    node_id: b64(`CR_${id}`),
    external_id: spec.actions ? b64(`job-${spec.actions.jobId}`) : String(id),
    url: `${API}/repos/${owner}/${repo}/check-runs/${id}`,
    html_url: html,
    details_url: jobUrl ?? spec.detailsUrl ?? html,
    status,
    conclusion: status === 'completed' ? (spec.conclusion ?? 'success') : null,
    started_at: status === 'queued' ? null : nowIso,
    completed_at: status === 'completed' ? nowIso : null,
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${API}/repos/${owner}/${repo}/check-runs/${id}/annotations` },
    name: spec.name,
    check_suite: { id: 5_000_000 + (spec.actions?.runId ?? id) },
    app: githubActionsApp(),
    pull_requests: [],
  }
}

export type StatusState = 'pending' | 'success' | 'failure' | 'error'

export interface CommitStatus extends Record<string, unknown> {
  context: string
  state: StatusState
  target_url: string | null
  updated_at: string
}

export function commitStatus(owner: string, repo: string, sha: string, id: number, context: string, state: StatusState, targetUrl: string | null, nowIso: string): CommitStatus {
  return {
    url: `${API}/repos/${owner}/${repo}/statuses/${sha}`,
    avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4',
    id,
    node_id: b64(`SC_${id}`),
    state,
    description: `${context}: ${state}`,
    target_url: targetUrl,
    context,
    created_at: nowIso,
    updated_at: nowIso,
  }
}

/** The combined state GitHub derives: any failure/error wins, then pending (also: no statuses). */
export function combinedState(statuses: readonly CommitStatus[]): 'failure' | 'pending' | 'success' {
  if (statuses.some((s) => s.state === 'failure' || s.state === 'error')) return 'failure'
  if (statuses.length === 0 || statuses.some((s) => s.state === 'pending')) return 'pending'
  return 'success'
}
