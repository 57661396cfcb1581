import { describe, expect, it } from 'vitest'
import { belongsToRun, evaluate, fromCheckRun, fromStatus, type CheckState } from '../../../src/gate/checks.js'
import { rateLimit } from '../../../src/github/index.js'
import { apiUrlFromEnv, GATE_DEFAULTS, resolveGateOptions, type GateOptions } from '../../../src/gate/options.js'
import { matchesPattern } from '../../../src/gate/patterns.js'

// The gate's pure rules, as tables.

const c = (name: string, state: CheckState['state']): CheckState => ({ name, source: 'check-run', state, detail: state, url: null, at: null })
const base = { required: [] as string[], elapsedMs: 20_000, discoveryWindowMs: 15_000, whenNoChecks: 'pass' as const }

describe('evaluate', () => {
  it.each([
    ['all green after the window', { checks: [c('a', 'passed')] }, 'pass'],
    ['all green inside the window (more may appear)', { checks: [c('a', 'passed')], elapsedMs: 5_000 }, 'wait'],
    ['exact required names all green inside the window', { checks: [c('a', 'passed'), c('b', 'pending')], required: ['a'], elapsedMs: 0 }, 'pass'],
    ['a required pattern green inside the window', { checks: [c('a1', 'passed')], required: ['a*'], elapsedMs: 0 }, 'wait'],
    ['one failed while others pend', { checks: [c('a', 'failed'), c('b', 'pending')], elapsedMs: 0 }, 'fail'],
    ['a failure outside the required set', { checks: [c('a', 'passed'), c('b', 'failed')], required: ['a'] }, 'pass'],
    ['pending', { checks: [c('a', 'pending')] }, 'wait'],
    ['nothing yet, inside the window', { checks: [], elapsedMs: 1_000 }, 'wait'],
    ['nothing at all, pass mode', { checks: [] }, 'pass'],
    ['nothing at all, fail mode', { checks: [], whenNoChecks: 'fail' as const }, 'fail'],
    ['required missing inside the window', { checks: [c('a', 'passed')], required: ['a', 'b'], elapsedMs: 1_000 }, 'wait'],
    ['required missing after the window', { checks: [c('a', 'passed')], required: ['a', 'b'] }, 'fail'],
    ['required and no checks at all is "missing", not "no checks"', { checks: [], required: ['a'] }, 'fail'],
    ['all green inside the window, but the commit has been quiet for a window (scheduled redeploy)', { checks: [c('a', 'passed')], elapsedMs: 0, quietMs: 3_600_000 }, 'pass'],
    ['all green inside the window, checks active moments ago', { checks: [c('a', 'passed')], elapsedMs: 0, quietMs: 2_000 }, 'wait'],
    ['a required name missing on a quiet commit fails at once', { checks: [c('a', 'passed')], required: ['a', 'b'], elapsedMs: 0, quietMs: 3_600_000 }, 'fail'],
  ])('%s -> %s', (_, input, kind) => {
    expect(evaluate({ ...base, ...input }).kind).toBe(kind)
  })

  it('reports why it failed', () => {
    expect(evaluate({ ...base, checks: [], required: ['e2e'] })).toEqual({ kind: 'fail', reason: 'required-missing', missing: ['e2e'] })
    expect(evaluate({ ...base, checks: [], whenNoChecks: 'fail' })).toEqual({ kind: 'fail', reason: 'no-checks' })
  })
})

describe('patterns', () => {
  it.each([
    ['build', 'build', true],
    ['build', 'build (linux)', false],
    ['build (*)', 'build (linux)', true],
    ['CI / *', 'CI / test (20, ubuntu)', true],
    ['test-?', 'test-1', true],
    ['test-?', 'test-10', false],
    // Only * and ? are special: brackets, dots and plus signs are literal.
    ['deploy [prod]', 'deploy [prod]', true],
    ['a.b+c', 'aXb+c', false],
  ])('%j matches %j: %s', (pattern, name, expected) => {
    expect(matchesPattern(name, pattern)).toBe(expected)
  })
})

describe('own-run detection', () => {
  it.each([
    ['https://github.com/o/r/actions/runs/123/job/9', true],
    ['https://github.com/o/r/actions/runs/123', true],
    ['https://github.com/o/r/actions/runs/123?check_suite_focus=true', true],
    ['https://github.com/o/r/actions/runs/1234/job/9', false],
    ['https://github.com/o/r/actions/runs/12/job/9', false],
    ['https://ci.example.com/builds/123', false],
    [null, false],
  ])('%s belongs to run 123: %s', (url, expected) => {
    expect(belongsToRun(url, '123')).toBe(expected)
  })
})

describe('check states', () => {
  const allowed = new Set(GATE_DEFAULTS.allowedConclusions)
  const run = (status: string, conclusion: string | null) => fromCheckRun({ name: 'x', status, conclusion, html_url: 'h', details_url: 'd' }, allowed)
  it.each([
    ['queued', null, 'pending'],
    ['waiting', null, 'pending'],
    ['completed', 'success', 'passed'],
    ['completed', 'neutral', 'passed'],
    ['completed', 'skipped', 'passed'],
    ['completed', 'failure', 'failed'],
    ['completed', 'stale', 'failed'],
    ['completed', null, 'failed'],
  ])('check run %s/%s is %s', (status, conclusion, state) => {
    expect(run(status, conclusion).state).toBe(state)
  })
  it.each([
    ['success', 'passed'],
    ['pending', 'pending'],
    ['failure', 'failed'],
    ['error', 'failed'],
  ])('status %s is %s', (state, expected) => {
    expect(fromStatus({ context: 'x', state, target_url: null }).state).toBe(expected)
  })
})

describe('rate-limit detection', () => {
  const res = (status: number, headers: Record<string, string>) => new Response('{}', { status, headers })
  const now = 1_000_000_000_000
  it.each([
    ['429 with retry-after', res(429, { 'retry-after': '5' }), '', { hintMs: 5000 }],
    ['403 with retry-after as a date', res(403, { 'retry-after': new Date(now + 9000).toUTCString() }), '', { hintMs: 9000 }],
    ['403 with the primary limit spent', res(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 60) }), '', { hintMs: 61_000 }],
    ['403 secondary limit without hints', res(403, {}), 'You have exceeded a secondary rate limit', { hintMs: 0 }],
    ['429 without hints', res(429, {}), '', { hintMs: 0 }],
    ['403 missing permission', res(403, { 'x-ratelimit-remaining': '4999' }), 'Resource not accessible by integration', undefined],
    ['404', res(404, {}), 'Not Found', undefined],
  ])('%s', (_, response, message, expected) => {
    expect(rateLimit(response, message, now)).toEqual(expected)
  })
})

describe('options', () => {
  const ok: GateOptions = { apiUrl: 'https://ghe.example.com/api/v3/', token: 't', repository: 'acme/shop', sha: 'abc', runId: 42 }
  it('applies defaults and normalises', () => {
    const o = resolveGateOptions(ok)
    expect(o).toMatchObject({ apiUrl: 'https://ghe.example.com/api/v3', owner: 'acme', repo: 'shop', runId: '42', required: [], timeoutMs: GATE_DEFAULTS.timeoutMs, whenNoChecks: 'pass' })
    expect([...o.allowedConclusions]).toEqual(['success', 'skipped', 'neutral'])
  })
  it.each([
    [{ repository: 'acme' }, /owner\/name/],
    [{ sha: ' ' }, /no commit SHA/],
    [{ token: '' }, /no GitHub token.*checks: read/],
    [{ apiUrl: 'not a url' }, /GITHUB_API_URL/],
    [{ runId: 'abc' }, /GITHUB_RUN_ID/],
    [{ timeoutMs: -1 }, /timeout/],
    [{ pollIntervalMs: 0 }, /poll interval/],
  ])('rejects %j', (bad, message) => {
    expect(() => resolveGateOptions({ ...ok, ...bad } as GateOptions)).toThrow(message)
  })
  it('reads GITHUB_API_URL, defaulting to api.github.com', () => {
    expect(apiUrlFromEnv({ GITHUB_API_URL: 'https://ghe.example.com/api/v3' })).toBe('https://ghe.example.com/api/v3')
    expect(apiUrlFromEnv({})).toBe('https://api.github.com')
  })
})

describe('activity times', () => {
  it('a check run is as recent as its latest start or completion; a status as its update', () => {
    const run = fromCheckRun({ name: 'a', status: 'completed', conclusion: 'success', html_url: null, details_url: null, started_at: '2026-01-01T00:00:00Z', completed_at: '2026-01-01T00:05:00Z' }, new Set(['success']))
    expect(run.at).toBe(Date.parse('2026-01-01T00:05:00Z'))
    const status = fromStatus({ context: 'ci', state: 'success', target_url: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:01:00Z' })
    expect(status.at).toBe(Date.parse('2026-01-01T00:01:00Z'))
    expect(fromStatus({ context: 'ci', state: 'success', target_url: null }).at).toBeNull()
  })
})
