import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GitHubApiError, GitHubClient } from '../../../src/github/index.js'
import { createDeployment, deactivateEnvironment, setDeploymentStatus } from '../../../src/github/index.js'
import { stickyMarker, upsertStickyComment } from '../../../src/github/index.js'
import { deploymentsRoutes, issueCommentRoutes, startFakeGitHub, type FakeGitHubSetup, type FakeRepo } from '../../support/github-api/index.js'
import { issueComment } from '../../support/github-api/fixtures-deployments.js'
import { fixtures } from '../../support/github-api/index.js'

const TOKEN = 'ghs_clientTestToken_Sentinel_77'
const SHA = 'a'.repeat(40)
let s: FakeGitHubSetup
let repo: FakeRepo
let gh: GitHubClient
beforeEach(async () => {
  s = await startFakeGitHub({ token: TOKEN, routes: (g) => ({ ...deploymentsRoutes(g), ...issueCommentRoutes(g) }) })
  repo = s.gh.repo('acme/shop')
  gh = new GitHubClient({ apiUrl: s.api.url, token: TOKEN, repository: 'acme/shop' })
})
afterEach(async () => {
  await s.api.close()
})

const marker = stickyMarker('config/deploy.yml')
function seedComments(pr: number, count: number, body = (i: number) => `comment ${i}`) {
  const list = Array.from({ length: count }, (_, i) => issueComment('acme', 'shop', pr, s.gh.nextId(), body(i), s.clock.iso(), fixtures.simpleUser('someone', 5)))
  repo.comments.set(pr, list)
  return list
}

describe('sticky PR comment', () => {
  it('creates one comment, then edits that one; a second app on the same PR gets its own', async () => {
    const first = await upsertStickyComment(gh, 7, marker, 'v1')
    const second = await upsertStickyComment(gh, 7, marker, 'v2')
    const other = await upsertStickyComment(gh, 7, stickyMarker('config/deploy.yml@staging'), 'staging')
    expect(first.created).toBe(true)
    expect(second).toEqual({ id: first.id, created: false })
    expect(other.created).toBe(true)
    expect(repo.comments.get(7)!.map((c) => c.body)).toEqual([`${marker}\nv2`, `${stickyMarker('config/deploy.yml@staging')}\nstaging`])
  })

  it('finds its comment past the first page of 100 (a busy PR)', async () => {
    const seeded = seedComments(9, 150, (i) => (i === 120 ? `${marker}\nold` : `chatter ${i}`))
    const r = await upsertStickyComment(gh, 9, marker, 'new')
    expect(r).toEqual({ id: seeded[120]!.id, created: false })
    expect(repo.comments.get(9)).toHaveLength(150)
    expect(s.api.exchanges.filter((e) => e.route === 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments').map((e) => e.path)).toEqual([
      '/repos/acme/shop/issues/9/comments?per_page=100',
      '/repos/acme/shop/issues/9/comments?per_page=100&page=2',
    ])
  })

  it('does not edit when the body is unchanged', async () => {
    await upsertStickyComment(gh, 3, marker, 'same')
    await upsertStickyComment(gh, 3, marker, 'same')
    expect(s.api.exchanges.filter((e) => e.method === 'PATCH')).toEqual([])
  })

  it('a token without the permission gets an error naming `pull-requests: write`, without the token', async () => {
    repo.denied.add('issues')
    const err = await upsertStickyComment(gh, 3, marker, 'x').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GitHubApiError)
    expect((err as Error).message).toContain('add `pull-requests: write` under the job\'s `permissions:`')
    expect((err as Error).message).not.toContain(TOKEN)
  })

  it('the marker is an HTML comment that stays one', () => {
    expect(stickyMarker('a--b---c')).toBe('<!-- cutover-preview a-b-c -->')
  })
})

describe('deployments', () => {
  it('creates with required_contexts: [] and auto_merge: false, then statuses; deactivates an environment', async () => {
    const id = await createDeployment(gh, { ref: SHA, environment: 'pr-4', description: 'x'.repeat(300), transient: true, payload: { version: 'v' } })
    await setDeploymentStatus(gh, id, { state: 'success', description: 'ok', environmentUrl: 'https://pr-4.example.test', logUrl: 'https://github.com/acme/shop/actions/runs/1' })
    const other = await createDeployment(gh, { ref: SHA, environment: 'production', description: 'prod', transient: false, payload: {} })
    expect(repo.deploymentRequests[0]).toMatchObject({ required_contexts: [], auto_merge: false, transient_environment: true })
    expect((repo.deploymentRequests[0]!.description as string).length).toBe(140)
    expect(await deactivateEnvironment(gh, 'pr-4', 'Removed', 'https://github.com/acme/shop/actions/runs/2')).toBe(1)
    expect(repo.deploymentStatuses.get(id)!.map((x) => x.state)).toEqual(['success', 'inactive'])
    expect(repo.deploymentStatuses.get(other)).toBeUndefined()
  })

  it('a bad ref is GitHub\'s 422, reported with the action it was for', async () => {
    const err = await createDeployment(gh, { ref: 'v1.0', environment: 'production', description: '', transient: false, payload: {} }).catch((e: unknown) => e)
    expect((err as Error).message).toBe('GitHub answered 422 "No ref found for: v1.0" when trying to write deployments.')
  })

  it('a wrong token is a 401 that says to pass a valid token', async () => {
    const bad = new GitHubClient({ apiUrl: s.api.url, token: 'nope', repository: 'acme/shop' })
    const err = await createDeployment(bad, { ref: SHA, environment: 'production', description: '', transient: false, payload: {} }).catch((e: unknown) => e)
    expect((err as GitHubApiError).status).toBe(401)
    expect((err as Error).message).toContain('pass a valid github-token')
  })
})

describe('client', () => {
  it('does not follow pagination links to another host (the token would go with them)', async () => {
    s.api.inject('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { status: 200, headers: { link: '<https://evil.example/next?page=2>; rel="next"' }, body: [] })
    const list = await gh.list('/repos/acme/shop/issues/1/comments', { what: 'list', permission: 'issues: read' })
    expect(list).toEqual([])
    expect(s.api.exchanges).toHaveLength(1)
  })

  it('an unreachable API is an error naming the URL, not a crash', async () => {
    const down = new GitHubClient({ apiUrl: 'http://127.0.0.1:9', token: TOKEN, repository: 'acme/shop', sleep: async () => {} })
    const err = await down.request('GET', '/x', { what: 'read x', permission: 'contents: read' }).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/^could not reach the GitHub API at http:\/\/127\.0\.0\.1:9 to read x/)
  })
})
