import { combinedState, minimalRepository } from './fixtures.js'
import { paginate } from './pagination.js'
import type { ApiReply, ApiRequest, Routes } from './server.js'
import type { FakeGitHub, FakeRepo, Permission } from './state.js'

/** GitHub's answer when a token lacks a permission an endpoint needs (not a rate limit). */
export function notAccessible(docs: string): ApiReply {
  return { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: docs, status: '403' } }
}

export function notFound(docs: string): ApiReply {
  return { status: 404, body: { message: 'Not Found', documentation_url: docs, status: '404' } }
}

/** Finds the repository of a request, or the 403/404 GitHub would answer instead. */
export function repoFor(gh: FakeGitHub, req: ApiRequest, needs: Permission, docs: string): FakeRepo | ApiReply {
  const repo = gh.find(req.params.owner ?? '', req.params.repo ?? '')
  if (!repo) return notFound(docs)
  if (repo.denied.has(needs)) return notAccessible(docs)
  return repo
}

const isReply = (x: FakeRepo | ApiReply): x is ApiReply => 'status' in x && typeof x.status === 'number'

/** What the CI gate reads: a commit's check runs and its combined status. */
export function checksRoutes(gh: FakeGitHub): Routes {
  return {
    'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': (req) => {
      const docs = 'https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference'
      const repo = repoFor(gh, req, 'checks', docs)
      if (isReply(repo)) return repo
      let runs = repo.checkRuns.get(req.params.ref ?? '') ?? []
      const name = req.query.get('check_name')
      const status = req.query.get('status')
      if (name) runs = runs.filter((r) => r.name === name)
      if (status) runs = runs.filter((r) => r.status === status)
      const page = paginate(req, runs)
      return { status: 200, headers: page.headers, body: { total_count: runs.length, check_runs: page.items } }
    },

    'GET /repos/{owner}/{repo}/commits/{ref}/status': (req) => {
      const docs = 'https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference'
      const repo = repoFor(gh, req, 'statuses', docs)
      if (isReply(repo)) return repo
      const sha = req.params.ref ?? ''
      const statuses = repo.statuses.get(sha) ?? []
      const page = paginate(req, statuses)
      const url = `https://api.github.com/repos/${repo.owner}/${repo.name}`
      return {
        status: 200,
        headers: page.headers,
        body: {
          state: combinedState(statuses),
          statuses: page.items,
          sha,
          total_count: statuses.length,
          repository: minimalRepository(repo.owner, repo.name, repo.id),
          commit_url: `${url}/commits/${sha}`,
          url: `${url}/commits/${sha}/status`,
        },
      }
    },
  }
}
