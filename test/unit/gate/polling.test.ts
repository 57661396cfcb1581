import { describe, expect, it } from 'vitest'
import { CI_RUN, RUN, SHA, TOKEN, job, useGateHarness } from './harness.js'

// How the gate talks to the API: concurrency, rate limits, permissions, pagination, ETags.

const h = useGateHarness()
const CHECK_RUNS = 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs'
const STATUS = 'GET /repos/{owner}/{repo}/commits/{ref}/status'
const rateLimited = (status: 403 | 429, headers: Record<string, string>, message = 'API rate limit exceeded for installation ID 1.') => ({
  status,
  headers,
  body: { message, documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api' },
})

describe('a matrix of deploy jobs in one run', () => {
  function matrixCommit(): void {
    for (const [i, target] of ['a', 'b', 'c'].entries()) h.repo.addCheckRun(SHA, { name: `deploy (${target})`, status: 'in_progress', actions: job(RUN, 100 + i) })
    const test = h.repo.addCheckRun(SHA, { name: 'test', status: 'in_progress', actions: job(CI_RUN, 1) })
    h.s.clock.at(60_000, () => h.repo.update(test, 'completed', 'success'))
  }

  it('three concurrent gates of the same run never wait on each other', async () => {
    matrixCommit()
    const results = await Promise.all([h.gate(), h.gate(), h.gate()])
    for (const { result } of results) {
      expect(result).toMatchObject({ status: 'passed', checks: [{ name: 'test' }] })
      expect(result.ignored.map((c) => c.name)).toEqual(['deploy (a)', 'deploy (b)', 'deploy (c)'])
    }
  })

  it('control: a gate of another run does wait on them (so the exclusion is what passes above)', async () => {
    matrixCommit()
    const { result } = await h.gate({ runId: RUN + 1, timeoutMs: 5 * 60_000 })
    expect(result.status).toBe('timed-out')
    if (result.status === 'timed-out') expect(result.pending.map((c) => c.name)).toEqual(['deploy (a)', 'deploy (b)', 'deploy (c)'])
  })

  it('matches the run id exactly: run 777 is not run 7770', async () => {
    h.repo.addCheckRun(SHA, { name: 'deploy', status: 'in_progress', actions: job(RUN, 1) })
    const { result } = await h.gate({ runId: 777, timeoutMs: 30_000 })
    expect(result).toMatchObject({ status: 'timed-out', ignored: [], pending: [{ name: 'deploy' }] })
  })
})

describe('rate limits', () => {
  it('waits for retry-after on a 429, then succeeds', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.s.api.inject(CHECK_RUNS, rateLimited(429, { 'retry-after': '7' }))
    const { result, log } = await h.gate({ required: ['build'] })
    expect(result.status).toBe('passed')
    expect(h.s.clock.sleeps).toEqual([7000])
    expect(log.some((l) => l.startsWith('warn: gate: GitHub API rate limit (429)') && l.endsWith('retrying in 7s'))).toBe(true)
  })

  it('waits until x-ratelimit-reset on an exhausted primary limit (403)', async () => {
    h.repo.setStatus(SHA, 'ci', 'success')
    const reset = Math.floor(h.s.clock.now() / 1000) + 30
    h.s.api.inject(STATUS, rateLimited(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }))
    const { result } = await h.gate({ required: ['ci'] })
    expect(result.status).toBe('passed')
    expect(h.s.clock.sleeps).toEqual([31_000])
  })

  it('backs off exponentially while the limit lasts', async () => {
    h.repo.setStatus(SHA, 'ci', 'success')
    h.s.api.inject(CHECK_RUNS, rateLimited(429, { 'retry-after': '1' }), 3)
    // A secondary limit that names no wait: GitHub says wait at least a minute, then longer.
    h.s.api.inject(STATUS, rateLimited(403, {}, 'You have exceeded a secondary rate limit.'), 2)
    const { result } = await h.gate({ required: ['ci'] })
    expect(result.status).toBe('passed')
    expect(h.s.clock.sleeps).toEqual([1000, 2000, 4000, 60_000, 120_000])
  })

  it('times out instead of sleeping past the timeout', async () => {
    h.repo.setStatus(SHA, 'ci', 'pending')
    h.s.clock.at(25_000, () => h.s.api.inject(STATUS, rateLimited(429, { 'retry-after': '3600' })))
    const { result } = await h.gate({ timeoutMs: 10 * 60_000 })
    expect(result).toMatchObject({ status: 'timed-out', pending: [{ name: 'ci' }] })
    expect(result.summary).toMatch(/rate limit \(429\).*past the gate's timeout/)
    expect(Math.max(...h.s.clock.sleeps)).toBeLessThan(3_600_000)
  })
})

describe('permissions', () => {
  it.each([
    ['checks', 'check runs', 'checks: read'],
    ['statuses', 'commit statuses', 'statuses: read'],
  ] as const)('fails at once when the token lacks %s, naming the permission', async (perm, what, permission) => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.repo.denied.add(perm)
    const { result } = await h.gate()
    expect(result).toMatchObject({ status: 'failed', reason: 'api', apiError: 'permission', polls: 1 })
    expect(result.summary).toContain(`may not read ${what}`)
    expect(result.summary).toContain(`\`${permission}\``)
    expect(result.summary).toContain('Resource not accessible by integration')
    // Not mistaken for a rate limit: no waiting, no retry.
    expect(h.s.clock.sleeps).toEqual([])
    expect(h.s.api.exchanges.filter((e) => e.status === 403)).toHaveLength(1)
  })

  it('fails on a bad token without echoing it', async () => {
    const { result } = await h.gate({ token: `${TOKEN}-revoked` })
    expect(result).toMatchObject({ status: 'failed', apiError: 'auth' })
    expect(result.summary).toContain('401 "Bad credentials"')
    expect(result.summary).not.toContain('revoked')
  })
})

describe('pagination', () => {
  it('reads past 100 check runs, following Link headers (a failure on page 3 counts)', async () => {
    for (let i = 0; i < 250; i++) {
      h.repo.addCheckRun(SHA, { name: `shard ${i}`, status: 'completed', conclusion: i === 240 ? 'failure' : 'success', actions: job(CI_RUN, i) })
    }
    const { result } = await h.gate()
    expect(result).toMatchObject({ status: 'failed', failed: [{ name: 'shard 240' }] })
    const pages = h.s.api.exchanges.filter((e) => e.route === CHECK_RUNS).map((e) => new URL(e.path, 'http://x').searchParams.get('page'))
    expect(pages).toEqual([null, '2', '3'])
  })

  it('judges all 250 when they are green', async () => {
    for (let i = 0; i < 250; i++) h.repo.addCheckRun(SHA, { name: `shard ${i}`, status: 'completed', conclusion: 'success', actions: job(CI_RUN, i) })
    const { result } = await h.gate({ discoveryWindowMs: 0 })
    expect(result.status).toBe('passed')
    expect(result.checks).toHaveLength(250)
  })

  it('never follows a pagination link to another host (the token would go with it)', async () => {
    h.repo.setStatus(SHA, 'ci', 'success')
    const asked: string[] = []
    h.s.api.inject(CHECK_RUNS, { status: 200, headers: { link: '<http://127.0.0.2:9/steal?page=2>; rel="next"' }, body: { total_count: 0, check_runs: [] } })
    const { result, log } = await h.gate({ required: ['ci'] }, { fetch: (url, init) => (asked.push(String(url)), fetch(url, init)) })
    expect(result.status).toBe('passed')
    expect(asked.filter((u) => u.includes('127.0.0.2'))).toEqual([])
    expect(log).toContain('warn: gate: ignored a pagination link to another host (http://127.0.0.2:9)')
  })
})

describe('conditional requests', () => {
  it('sends ETags back; unchanged polls get 304s that cost no quota, and changes still come through', async () => {
    const test = h.repo.addCheckRun(SHA, { name: 'test', status: 'in_progress', actions: job(CI_RUN, 1) })
    h.repo.setStatus(SHA, 'ci', 'pending')
    h.s.clock.at(45_000, () => h.repo.update(test, 'completed', 'success'))
    h.s.clock.at(65_000, () => h.repo.setStatus(SHA, 'ci', 'success'))
    const { result } = await h.gate()
    expect(result.status).toBe('passed')
    const statuses = h.s.api.exchanges.map((e) => `${e.route === CHECK_RUNS ? 'runs' : 'status'} ${e.status}`)
    // Polls every 10s: t=0 both fresh; 10..40s unchanged; 50s the run changed; 60s unchanged;
    // 70s the status changed, and everything is green.
    expect(statuses).toEqual([
      'runs 200', 'status 200',
      ...Array(4).fill(['runs 304', 'status 304']).flat(),
      'runs 200', 'status 304',
      'runs 304', 'status 304',
      'runs 304', 'status 200',
    ])
    expect(h.s.api.quotaUsed()).toBe(4)
  })
})

describe('outages', () => {
  it('retries a 503 with backoff, then succeeds', async () => {
    h.repo.setStatus(SHA, 'ci', 'success')
    h.s.api.inject(CHECK_RUNS, { status: 503, body: { code: 'unavailable', message: 'Service Unavailable' } }, 2)
    const { result } = await h.gate({ required: ['ci'] })
    expect(result.status).toBe('passed')
    expect(h.s.clock.sleeps).toEqual([1000, 2000])
  })

  it('reports an API it cannot reach after bounded retries', async () => {
    const { createServer } = await import('node:net')
    const probe = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => probe.once('listening', r))
    const port = (probe.address() as { port: number }).port
    await new Promise((r) => probe.close(r))
    const { result } = await h.gate({ apiUrl: `http://127.0.0.1:${port}` })
    expect(result).toMatchObject({ status: 'failed', reason: 'api', apiError: 'network' })
    expect(result.summary).toMatch(new RegExp(`could not reach the GitHub API at http://127.0.0.1:${port}.*gave up after 8 attempts`))
    expect(h.s.clock.sleeps).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000])
  })
})
