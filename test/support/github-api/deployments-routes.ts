import { repoFor } from './checks-routes.js'
import { deployment, deploymentStatus, issueComment } from './fixtures-deployments.js'
import { paginate } from './pagination.js'
import type { ApiReply, ApiRequest, Routes } from './server.js'
import type { FakeGitHub, FakeRepo } from './state.js'

const isReply = (x: FakeRepo | ApiReply): x is ApiReply => 'status' in x && typeof x.status === 'number'
const DEPLOY_DOCS = 'https://docs.github.com/rest/deployments/deployments'
const STATUS_DOCS = 'https://docs.github.com/rest/deployments/statuses'
const COMMENT_DOCS = 'https://docs.github.com/rest/issues/comments'

function validationFailed(message: string, docs: string): ApiReply {
  return { status: 422, body: { message, documentation_url: docs } }
}

/** What the Action writes: Deployments and their statuses. */
export function deploymentsRoutes(gh: FakeGitHub): Routes {
  const findDeployment = (repo: FakeRepo, req: ApiRequest) => repo.deployments.find((d) => d.id === Number(req.params.deployment_id))
  return {
    'POST /repos/{owner}/{repo}/deployments': (req) => {
      const repo = repoFor(gh, req, 'deployments', DEPLOY_DOCS)
      if (isReply(repo)) return repo
      const body = req.body as Record<string, unknown>
      repo.deploymentRequests.push(body)
      const ref = String(body.ref)
      // GitHub resolves the ref to a commit; this server knows commits only as 40-hex SHAs.
      if (!/^[0-9a-f]{40}$/.test(ref)) return validationFailed(`No ref found for: ${ref}`, DEPLOY_DOCS)
      // Without `required_contexts: []` GitHub would verify the commit's statuses itself (409 when red).
      if (!Array.isArray(body.required_contexts)) return { status: 409, body: { message: 'Conflict: Commit status checks failed for main.', documentation_url: DEPLOY_DOCS } }
      const d = deployment(repo.owner, repo.name, gh.nextId(), ref, body, gh.clock.iso())
      repo.deployments.push(d)
      return { status: 201, body: d }
    },

    'GET /repos/{owner}/{repo}/deployments': (req) => {
      const repo = repoFor(gh, req, 'deployments', DEPLOY_DOCS)
      if (isReply(repo)) return repo
      const env = req.query.get('environment')
      const sha = req.query.get('sha')
      const list = [...repo.deployments].reverse().filter((d) => (env === null || d.environment === env) && (sha === null || d.sha === sha))
      const page = paginate(req, list)
      return { status: 200, headers: page.headers, body: page.items }
    },

    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': (req) => {
      const repo = repoFor(gh, req, 'deployments', STATUS_DOCS)
      if (isReply(repo)) return repo
      const d = findDeployment(repo, req)
      if (!d) return { status: 404, body: { message: 'Not Found', documentation_url: STATUS_DOCS, status: '404' } }
      const s = deploymentStatus(repo.owner, repo.name, d, gh.nextId(), req.body as Record<string, unknown>, gh.clock.iso())
      const list = repo.deploymentStatuses.get(d.id) ?? []
      list.push(s)
      repo.deploymentStatuses.set(d.id, list)
      return { status: 201, body: s }
    },
  }
}

/** The preview's sticky comment: list, create and edit issue comments. */
export function issueCommentRoutes(gh: FakeGitHub): Routes {
  return {
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': (req) => {
      const repo = repoFor(gh, req, 'issues', COMMENT_DOCS)
      if (isReply(repo)) return repo
      const page = paginate(req, repo.comments.get(Number(req.params.issue_number)) ?? [])
      return { status: 200, headers: page.headers, body: page.items }
    },

    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (req) => {
      const repo = repoFor(gh, req, 'issues', COMMENT_DOCS)
      if (isReply(repo)) return repo
      const issue = Number(req.params.issue_number)
      const c = issueComment(repo.owner, repo.name, issue, gh.nextId(), String((req.body as { body: string }).body), gh.clock.iso())
      repo.comments.set(issue, [...(repo.comments.get(issue) ?? []), c])
      return { status: 201, body: c }
    },

    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': (req) => {
      const repo = repoFor(gh, req, 'issues', COMMENT_DOCS)
      if (isReply(repo)) return repo
      const c = [...repo.comments.values()].flat().find((x) => x.id === Number(req.params.comment_id))
      if (!c) return { status: 404, body: { message: 'Not Found', documentation_url: COMMENT_DOCS, status: '404' } }
      c.body = String((req.body as { body: string }).body)
      c.updated_at = gh.clock.iso()
      return { status: 200, body: c }
    },
  }
}
