import { afterEach, describe, expect, it } from 'vitest'
import { fixtures, githubOpenApi, startFakeGitHub, startGitHubApi, type FakeGitHubSetup, type GitHubApiServer } from '../support/github-api/index.js'

// The validating GitHub API test server: it must catch drift on both sides, or the gate tests
// that rely on it would prove nothing.

const TOKEN = 'ghs_servertesttoken0123456789'
const SHA = 'a'.repeat(40)
const ua = { 'user-agent': 'test', authorization: `Bearer ${TOKEN}` }

let setup: FakeGitHubSetup | undefined
let bare: GitHubApiServer | undefined
afterEach(async () => {
  // Tests that break the description on purpose empty the violations after checking them.
  await setup?.api.close()
  await bare?.close()
  setup = bare = undefined
})

async function start(): Promise<FakeGitHubSetup> {
  setup = await startFakeGitHub({ token: TOKEN })
  setup.gh.repo('acme/shop').addCheckRun(SHA, { name: 'test', status: 'completed', conclusion: 'success', actions: { runId: 1, jobId: 2 } })
  return setup
}

describe('operation lookup', () => {
  const api = githubOpenApi()
  it.each([
    ['GET', '/repos/acme/shop/commits/abc/check-runs', 'checks/list-for-ref', { ref: 'abc' }],
    ['GET', '/repos/acme/shop/commits/abc/status', 'repos/get-combined-status-for-ref', { ref: 'abc' }],
    // `ref` is x-multi-segment: a branch name with a slash is still one parameter.
    ['GET', '/repos/acme/shop/commits/heads/feature/x/check-runs', 'checks/list-for-ref', { ref: 'heads/feature/x' }],
    ['POST', '/repos/acme/shop/deployments', 'repos/create-deployment', {}],
    ['PATCH', '/repos/acme/shop/issues/comments/7', 'issues/update-comment', { comment_id: '7' }],
  ])('%s %s is %s', (method, path, operationId, params) => {
    const m = api.match(method, path)
    expect(m).toMatchObject({ operationId, pathParams: expect.objectContaining(params) })
  })

  it('says when a path is not GitHub API, or the method is not documented', () => {
    expect(api.match('GET', '/repos/acme/shop/commitz/abc/check-runs')).toEqual({ error: expect.stringContaining('no path') })
    // Beware: after a multi-segment `ref` a typo is still a real route, as on GitHub itself
    // (`commits/{ref}` with ref "abc/checkruns"); the response shape then catches the client.
    expect(api.match('GET', '/repos/acme/shop/commits/abc/checkruns')).toMatchObject({ operationId: 'repos/get-commit' })
    expect(api.match('DELETE', '/repos/acme/shop/commits/abc/status')).toEqual({ error: expect.stringContaining('documents no DELETE') })
  })

  it('refuses a route key that is not in the description', async () => {
    await expect(startGitHubApi({ routes: { 'GET /repos/{owner}/{repo}/commits/{ref}/checkruns': () => ({ status: 200 }) } })).rejects.toThrow(/has no GET/)
  })
})

describe('validation of what the server sends', () => {
  it('serves a schema-valid check-run list', async () => {
    const { api } = await start()
    const res = await fetch(`${api.url}/repos/acme/shop/commits/${SHA}/check-runs?per_page=100`, { headers: ua })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { check_runs: { name: string }[] }).check_runs.map((r) => r.name)).toEqual(['test'])
    expect(api.violations).toEqual([])
  })

  it('catches a deliberately wrong response, answers 500 instead, and fails close()', async () => {
    const { api } = await start()
    const good = fixtures.checkRun('acme', 'shop', SHA, 1, { name: 'x', status: 'completed', conclusion: 'success' }, '2030-01-01T00:00:00Z')
    api.inject('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { status: 200, body: { total_count: 1, check_runs: [{ ...good, conclusion: 'green', head_sha: undefined }] } })
    const res = await fetch(`${api.url}/repos/acme/shop/commits/${SHA}/check-runs`, { headers: ua })
    expect(res.status).toBe(500)
    expect(api.violations.join('\n')).toMatch(/check_runs\/0\/conclusion must be equal to one of the allowed values/)
    expect(api.violations.join('\n')).toMatch(/check_runs\/0 must have required property 'head_sha'/)
    await expect(api.close()).rejects.toThrow(/violation/)
    api.violations.length = 0
  })

  it('catches an undocumented status code', async () => {
    const { api } = await start()
    api.inject('*', { status: 418, body: { message: 'teapot' } })
    const res = await fetch(`${api.url}/repos/acme/shop/commits/${SHA}/status`, { headers: ua })
    expect(res.status).toBe(500)
    expect(api.violations).toEqual([expect.stringMatching(/response 418: status 418 is not documented/)])
    api.violations.length = 0
  })

  it('accepts the responses GitHub gives on every endpoint (304, 403, 429) only in their documented shape', async () => {
    const { api } = await start()
    const path = `${api.url}/repos/acme/shop/commits/${SHA}/check-runs`
    api.inject('*', { status: 429, headers: { 'retry-after': '3' }, body: { message: 'API rate limit exceeded', documentation_url: 'https://docs.github.com/rest' } })
    expect((await fetch(path, { headers: ua })).status).toBe(429)
    api.inject('*', { status: 403, body: { message: 7 } })
    expect((await fetch(path, { headers: ua })).status).toBe(500)
    expect(api.violations).toEqual([expect.stringMatching(/response 403: body\/message must be string/)])
    api.violations.length = 0
    const first = await fetch(path, { headers: ua })
    const etag = first.headers.get('etag')
    expect(etag).toMatch(/^W\/"/)
    expect((await fetch(path, { headers: { ...ua, 'if-none-match': etag! } })).status).toBe(304)
    expect(api.violations).toEqual([])
  })
})

describe('validation of what the server receives', () => {
  it.each([
    ['an undocumented query parameter', `/repos/acme/shop/commits/${SHA}/check-runs?perpage=100`, /query parameter "perpage" is not documented/],
    ['a query parameter of the wrong type', `/repos/acme/shop/commits/${SHA}/check-runs?per_page=lots`, /query parameter per_page must be integer/],
    ['a value outside an enum', `/repos/acme/shop/commits/${SHA}/check-runs?filter=newest`, /query parameter filter must be equal to one of the allowed values/],
    ['a path that is not GitHub API', `/repos/acme/shop/commit/${SHA}/check-runs`, /is no path of GitHub's REST API/],
  ])('catches %s', async (_, path, message) => {
    const { api } = await start()
    const res = await fetch(`${api.url}${path}`, { headers: ua })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(api.violations.join('\n')).toMatch(message)
    api.violations.length = 0
  })

  it('catches a body that breaks the operation schema (data-driven: a route added for deployments)', async () => {
    bare = await startGitHubApi({ routes: { 'POST /repos/{owner}/{repo}/deployments': () => ({ status: 409 }) } })
    const post = (body: unknown) =>
      fetch(`${bare!.url}/repos/acme/shop/deployments`, { method: 'POST', headers: { 'user-agent': 't', 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await post({ ref: 'main', required_contexts: [], auto_merge: false })).status).toBe(409)
    expect(bare.violations).toEqual([])
    expect((await post({ ref: 42 })).status).toBe(400)
    expect(bare.violations.join('\n')).toMatch(/body\/ref must be string/)
    bare.violations.length = 0
  })

  it('catches a request without a User-Agent, which GitHub refuses', async () => {
    const { api } = await start()
    const res = await fetch(`${api.url}/repos/acme/shop/commits/${SHA}/status`, { headers: { authorization: `Bearer ${TOKEN}`, 'user-agent': '' } })
    expect(res.status).toBe(400)
    expect(api.violations).toEqual([expect.stringMatching(/no User-Agent/)])
    api.violations.length = 0
  })

  it('answers 401 without the token, as GitHub does', async () => {
    const { api } = await start()
    const res = await fetch(`${api.url}/repos/acme/shop/commits/${SHA}/status`, { headers: { 'user-agent': 't' } })
    expect(res.status).toBe(401)
    expect(api.violations).toEqual([])
  })
})
