import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDeployment, GitHubApiError, GitHubClient, stickyMarker, upsertStickyComment } from '../../../src/github/index.js'
import { deploymentsRoutes, issueCommentRoutes, startFakeGitHub, type FakeGitHubSetup } from '../../support/github-api/index.js'

const TOKEN = 'ghs_writeRetryToken_Sentinel_31'
const SHA = 'b'.repeat(40)
const CREATE = 'POST /repos/{owner}/{repo}/deployments'
let s: FakeGitHubSetup
let waits: number[]
let warnings: string[]
let gh: GitHubClient
beforeEach(async () => {
  s = await startFakeGitHub({ token: TOKEN, routes: (g) => ({ ...deploymentsRoutes(g), ...issueCommentRoutes(g) }) })
  s.gh.repo('acme/shop')
  waits = []
  warnings = []
  gh = new GitHubClient({
    apiUrl: s.api.url, token: TOKEN, repository: 'acme/shop',
    sleep: async (ms) => void waits.push(ms), now: s.clock.now, warn: (m) => warnings.push(m),
  })
})
afterEach(async () => {
  await s.api.close()
  expect([...warnings, ...waits.map(String)].filter((l) => l.includes(TOKEN))).toEqual([])
})

const error = (status: number, message: string, headers: Record<string, string> = {}) => ({ status, headers, body: { message, documentation_url: 'https://docs.github.com/rest' } })
const unavailable = { status: 503, headers: {}, body: { code: 'unavailable', message: 'Service Unavailable' } }
const deploy = () => createDeployment(gh, { ref: SHA, environment: 'production', description: 'd', transient: false, payload: {} })
const posts = () => s.api.exchanges.filter((e) => e.route === CREATE).map((e) => e.status)

describe('writes are retried only when GitHub says "later"', () => {
  const rows: { name: string; faults: { status: number; headers: Record<string, string>; body: object }[]; posts: number[]; waits: number[]; fails?: RegExp }[] = [
    { name: 'a 502 then 201', faults: [error(502, 'Server Error')], posts: [502, 201], waits: [1000] },
    { name: 'two 503s then 201, waits doubling', faults: [unavailable, unavailable], posts: [503, 503, 201], waits: [1000, 2000] },
    { name: 'a rate limit with retry-after, waited as asked', faults: [error(429, 'API rate limit exceeded', { 'retry-after': '3' })], posts: [429, 201], waits: [3000] },
    { name: 'a 422 is final at once', faults: [error(422, 'Validation Failed')], posts: [422], waits: [], fails: /^GitHub answered 422 "Validation Failed" when trying to write deployments\.$/ },
    { name: 'a 403 permission error is final at once', faults: [error(403, 'Resource not accessible by integration')], posts: [403], waits: [], fails: /add `deployments: write`/ },
    { name: 'four 500s: gives up after 4 attempts', faults: Array(4).fill(error(500, 'Server Error')), posts: [500, 500, 500, 500], waits: [1000, 2000, 4000], fails: /answered 500 "Server Error" when trying to write deployments; gave up after 4 attempts/ },
  ]
  it.each(rows)('$name', async (row) => {
    for (const f of row.faults) s.api.inject(CREATE, f)
    const result = await deploy().then((id) => ({ id }), (e: unknown) => e)
    expect(posts()).toEqual(row.posts)
    expect(waits).toEqual(row.waits)
    if (row.fails) {
      expect(result).toBeInstanceOf(GitHubApiError)
      expect((result as Error).message).toMatch(row.fails)
    } else {
      expect(result).toEqual({ id: expect.any(Number) })
      expect(warnings).toHaveLength(row.faults.length)
    }
  })

  it('the sticky comment: a 502 on the list, then the edit goes through once', async () => {
    const marker = stickyMarker('config/deploy.yml')
    const first = await upsertStickyComment(gh, 4, marker, 'v1')
    s.api.inject('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', error(502, 'Server Error'))
    s.api.inject('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', error(502, 'Server Error'))
    expect(await upsertStickyComment(gh, 4, marker, 'v2')).toEqual({ id: first.id, created: false })
    expect(s.api.exchanges.filter((e) => e.method === 'PATCH').map((e) => e.status)).toEqual([502, 200])
    expect(s.gh.repo('acme/shop').comments.get(4)!.map((c) => c.body)).toEqual([`${marker}\nv2`])
  })

  it('an unreachable API is retried, then named with the URL', async () => {
    const down = new GitHubClient({ apiUrl: 'http://127.0.0.1:9', token: TOKEN, repository: 'acme/shop', sleep: async (ms) => void waits.push(ms) })
    const err = await down.request('POST', '/x', { what: 'write x', permission: 'contents: write' }, {}).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/^could not reach the GitHub API at http:\/\/127\.0\.0\.1:9 to write x \(.*\); gave up after 4 attempts$/)
    expect(waits).toEqual([1000, 2000, 4000])
  })
})
