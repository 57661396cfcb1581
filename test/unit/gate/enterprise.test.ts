import { afterEach, expect, it } from 'vitest'
import { waitForChecks } from '../../../src/gate/index.js'
import { startFakeGitHub, type FakeGitHubSetup } from '../../support/github-api/index.js'

// GitHub Enterprise Server serves the REST API under /api/v3: GITHUB_API_URL carries that
// prefix, and every request (pagination links included) must keep it.

let s: FakeGitHubSetup | undefined
afterEach(async () => {
  await s?.api.close()
})

it('works under an API base path, across pages', async () => {
  s = await startFakeGitHub({ token: 't0k', basePath: '/api/v3' })
  expect(s.api.url).toMatch(/\/api\/v3$/)
  const repo = s.gh.repo('corp/app')
  for (let i = 0; i < 130; i++) repo.addCheckRun('f'.repeat(40), { name: `c${i}`, status: 'completed', conclusion: 'success' })
  const result = await waitForChecks(
    { apiUrl: `${s.api.url}/`, token: 't0k', repository: 'corp/app', sha: 'f'.repeat(40), discoveryWindowMs: 0 },
    { now: s.clock.now, sleep: s.clock.sleep },
  )
  expect(result).toMatchObject({ status: 'passed' })
  expect(result.checks).toHaveLength(130)
  expect(s.api.exchanges.map((e) => e.path.split('?')[0])).toEqual([
    '/api/v3/repos/corp/app/commits/ffffffffffffffffffffffffffffffffffffffff/check-runs',
    '/api/v3/repos/corp/app/commits/ffffffffffffffffffffffffffffffffffffffff/check-runs',
    '/api/v3/repos/corp/app/commits/ffffffffffffffffffffffffffffffffffffffff/status',
  ])
})

it('stops when aborted (the build failed, nobody needs the gate)', async () => {
  s = await startFakeGitHub({ token: 't0k' })
  s.gh.repo('corp/app').addCheckRun('e'.repeat(40), { name: 'slow', status: 'in_progress' })
  const controller = new AbortController()
  s.clock.at(30_000, () => controller.abort(new Error('build failed')))
  await expect(
    waitForChecks({ apiUrl: s.api.url, token: 't0k', repository: 'corp/app', sha: 'e'.repeat(40) }, { now: s.clock.now, sleep: s.clock.sleep, signal: controller.signal }),
  ).rejects.toThrow('build failed')
  expect(s.clock.elapsed()).toBeLessThan(60_000)
})
