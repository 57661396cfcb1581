import { describe, expect, it } from 'vitest'
import { initialWatch, judge, parseVerifyProbe, type Reading, type Sample, type WatchState } from '../../../src/plan/verify-judge.js'

const ok: Sample = { status: 'running', exitCode: 0, restarts: 0, startedAt: 't0', health: null, oomKilled: false, proxyStatus: '200' }
const s = (over: Partial<Sample>): Reading => ({ sample: { ...ok, ...over } })

/** Feed readings in order; the first failure (with its index), or null when all passed. */
function watch(fresh: boolean, readings: Reading[]): { at: number; why: string } | null {
  let state: WatchState = initialWatch(fresh)
  for (const [i, r] of readings.entries()) {
    const v = judge(state, r)
    state = v.state
    if (v.failed !== null) return { at: i, why: v.failed }
  }
  return null
}

describe('judge: is the new container still fine after the switch', () => {
  it.each<[string, boolean, Reading[], { at: number; match: RegExp } | null]>([
    ['running and answering throughout', true, [s({}), s({}), s({})], null],
    ['exited (crash after healthy): exit code named', true, [s({}), s({ status: 'exited', exitCode: 3 })], { at: 1, match: /it is exited \(exit code 3\)/ }],
    ['restarted by its restart policy, running again by the next probe', true, [s({}), s({ restarts: 1, exitCode: 3, startedAt: 't1' })], { at: 1, match: /restarted \(restart count 1, last exit code 3\)/ }],
    ['a fresh container that already restarted before the first probe', true, [s({ restarts: 1 })], { at: 0, match: /restart count 1/ }],
    ['a reused container: its restart count so far is the baseline', false, [s({ restarts: 4 }), s({ restarts: 4 })], null],
    ['a reused container that restarts during the window', false, [s({ restarts: 4 }), s({ restarts: 5 })], { at: 1, match: /restart count 5/ }],
    ['started again with the same count (restart race): seen by its start time', true, [s({}), s({ startedAt: 't9' })], { at: 1, match: /started again at t9/ }],
    ['restarting', true, [s({ status: 'restarting', restarts: 0 })], { at: 0, match: /it is restarting/ }],
    ['killed for memory', true, [s({ status: 'exited', exitCode: 137, oomKilled: true })], { at: 0, match: /137, killed for lack of memory/ }],
    ['Docker healthcheck unhealthy', true, [s({ health: 'unhealthy' })], { at: 0, match: /healthcheck says unhealthy/ }],
    ['healthcheck starting is fine', true, [s({ health: 'starting' }), s({ health: 'healthy' })], null],
    ['one 502 through the proxy is a blip', true, [s({ proxyStatus: '502' }), s({})], null],
    ['two 502s in a row through the proxy', true, [s({ proxyStatus: '502' }), s({ proxyStatus: '502' })], { at: 1, match: /answered 502 2 times in a row/ }],
    ['no answer twice through the proxy', true, [s({ proxyStatus: '000' }), s({ proxyStatus: '000' })], { at: 1, match: /got no answer/ }],
    ['a 404 is the app answering, not a dead target', true, [s({ proxyStatus: '404' }), s({ proxyStatus: '404' })], null],
    ['no curl on the host: the state check still decides', true, [s({ proxyStatus: null }), s({ proxyStatus: null, status: 'exited', exitCode: 1 })], { at: 1, match: /exited/ }],
    ['one unreadable probe is tolerated', true, [{ unreadable: 'ssh blip' }, s({})], null],
    ['two unreadable probes in a row fail', true, [{ unreadable: 'x' }, { unreadable: 'No such container: abc' }], { at: 1, match: /could not be observed: No such container/ }],
  ])('%s', (_name, fresh, readings, expected) => {
    const got = watch(fresh, readings)
    if (expected === null) expect(got).toBeNull()
    else {
      expect(got?.at).toBe(expected.at)
      expect(got?.why).toMatch(expected.match)
    }
  })
})

describe('parseVerifyProbe', () => {
  it('reads the inspect line and the proxy status', () => {
    const out = '{"status":"running","exit":0,"restarts":2,"started":"2026-01-01T00:00:00Z","health":"healthy","oom":false}\n@@probe 200\n'
    expect(parseVerifyProbe(out, 0)).toEqual({ sample: { status: 'running', exitCode: 0, restarts: 2, startedAt: '2026-01-01T00:00:00Z', health: 'healthy', oomKilled: false, proxyStatus: '200' } })
  })
  it('no curl: proxyStatus null', () => {
    const r = parseVerifyProbe('{"status":"running","exit":0,"restarts":0,"started":"t","health":null,"oom":false}\n@@probe none\n', 0)
    expect('sample' in r && r.sample.proxyStatus).toBeNull()
  })
  it('a container that is gone: unreadable, with docker’s words', () => {
    expect(parseVerifyProbe('Error: No such container: app-web-v2\n@@probe 502\n', 1)).toEqual({ unreadable: 'Error: No such container: app-web-v2' })
  })
})
