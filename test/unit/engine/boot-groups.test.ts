import { describe, expect, it } from 'vitest'
import type { Barrier } from '../../../src/engine/barrier.js'
import { bootGroups, runInGroups, type GroupHost } from '../../../src/engine/boot-groups.js'
import type { HostResult } from '../../../src/engine/result.js'
import { memoryLogger } from '../../../src/log.js'

describe('bootGroups: splitting hosts (primary-role hosts come first in the input)', () => {
  it.each([
    ['no limit: one group', ['a', 'b', 'c'], null, [['a', 'b', 'c']]],
    ['limit 1', ['a', 'b', 'c'], 1, [['a'], ['b'], ['c']]],
    ['limit 2 of 3: the last group is smaller', ['a', 'b', 'c'], 2, [['a', 'b'], ['c']]],
    ['limit 2 of 4', ['a', 'b', 'c', 'd'], 2, [['a', 'b'], ['c', 'd']]],
    ['limit equal to the hosts', ['a', 'b'], 2, [['a', 'b']]],
    ['limit above the hosts', ['a', 'b'], 9, [['a', 'b']]],
    ['one host', ['a'], 1, [['a']]],
    ['no hosts', [], 2, []],
  ])('%s', (_, hosts, limit, want) => {
    expect(bootGroups(hosts, limit)).toEqual(want)
  })
})

// A scripted fleet: each host says whether the primary role (web) or a worker (jobs) runs on it,
// and whether its deploy fails. Workers wait at the barrier as runHost makes them.
interface FakeHost extends GroupHost {
  role: 'web' | 'jobs'
  fails?: boolean
}
const web = (host: string, fails = false): FakeHost => ({ host, role: 'web', primaryWork: true, fails })
const jobs = (host: string): FakeHost => ({ host, role: 'jobs', primaryWork: false })

async function roll(hosts: FakeHost[], limit: number | null, opts: { primaryHealthy?: boolean; waitS?: number } = {}) {
  const logger = memoryLogger()
  const order: string[] = []
  const slept: number[] = []
  const run = async (h: FakeHost, barrier: Barrier): Promise<HostResult[]> => {
    order.push(`start ${h.host}`)
    await new Promise((r) => setTimeout(r, 1))
    if (h.role === 'web') {
      if (h.fails) {
        barrier.primaryFailed()
        return [{ host: h.host, role: h.role, action: 'failed', durationMs: 1, error: 'never healthy' }]
      }
      barrier.primaryHealthy()
      return [{ host: h.host, role: h.role, action: 'replaced', durationMs: 1 }]
    }
    try {
      await barrier.opened
      return [{ host: h.host, role: h.role, action: 'replaced', durationMs: 1 }]
    } catch (e) {
      return [{ host: h.host, role: h.role, action: 'failed', durationMs: 1, error: String(e) }]
    }
  }
  const results = await runInGroups(hosts, {
    boot: { limit, waitS: opts.waitS ?? 0 },
    logger,
    primaryHealthy: opts.primaryHealthy ?? false,
    run,
    untouched: (h, why) => [{ host: h.host, role: h.role, action: 'failed', durationMs: 0, error: why }],
    sleep: async (ms) => {
      slept.push(ms)
    },
  })
  return { results, order, lines: logger.lines, slept, actions: results.map((r) => `${r.host}:${r.action}`) }
}

describe('runInGroups', () => {
  it('runs group after group and names each group in the progress lines', async () => {
    const r = await roll([web('vm1'), web('vm2'), jobs('vm3')], 1)
    expect(r.actions).toEqual(['vm1:replaced', 'vm2:replaced', 'vm3:replaced'])
    expect(r.lines.filter((l) => l.includes('boot group'))).toEqual([
      'info: boot group 1 of 3: vm1',
      'info: boot group 1 of 3 done',
      'info: boot group 2 of 3: vm2',
      'info: boot group 2 of 3 done',
      'info: boot group 3 of 3: vm3',
      'info: boot group 3 of 3 done',
    ])
  })

  it('a failing group stops the rollout: later hosts are untouched and say why', async () => {
    const r = await roll([web('vm1', true), web('vm2'), jobs('vm3')], 1)
    expect(r.order).toEqual(['start vm1'])
    expect(r.actions).toEqual(['vm1:failed', 'vm2:failed', 'vm3:failed'])
    expect(r.results[1]!.error).toBe('not deployed: boot group 1 of 3 failed (vm1); this host keeps its previous version')
    expect(r.lines).toContain('error: boot group 1 of 3 failed: stopping the rollout; vm2, vm3 keep the previous version')
  })

  it('a failure in the last group leaves the earlier groups on the new version', async () => {
    const r = await roll([web('vm1'), web('vm2', true)], 1)
    expect(r.actions).toEqual(['vm1:replaced', 'vm2:failed'])
  })

  it('no deadlock: a worker in a later group does not wait for primaries of another group', async () => {
    // Group 2 holds only a worker: the primary role became healthy in group 1, so it starts open.
    const r = await roll([web('vm1'), jobs('vm2')], 1)
    expect(r.actions).toEqual(['vm1:replaced', 'vm2:replaced'])
  })

  it('no deadlock: a worker waits only on its own group’s primaries, which all settle', async () => {
    // Group 1: vm1 web fails, vm2 jobs waits; with a run-wide barrier counting vm3's web too, jobs
    // would wait for a host that never runs.
    const r = await roll([web('vm1', true), jobs('vm2'), web('vm3')], 2)
    expect(r.actions).toEqual(['vm1:failed', 'vm2:failed', 'vm3:failed'])
    expect(r.results[1]!.error).toContain('the primary role did not become healthy on any host')
  })

  it('all at once without a limit: one barrier over every host, no group lines', async () => {
    const r = await roll([web('vm1', true), web('vm2'), jobs('vm3')], null)
    expect(r.actions).toEqual(['vm1:failed', 'vm2:replaced', 'vm3:replaced'])
    expect(r.lines.some((l) => l.includes('boot group'))).toBe(false)
  })

  it('the primary role already healthy before the run: workers never wait', async () => {
    const r = await roll([jobs('vm1'), jobs('vm2')], 1, { primaryHealthy: true })
    expect(r.actions).toEqual(['vm1:replaced', 'vm2:replaced'])
  })

  it('boot.wait between groups (not after the last), with a line at least every 10 s', async () => {
    const r = await roll([web('vm1'), web('vm2'), web('vm3')], 1, { waitS: 25 })
    expect(r.slept).toEqual([10_000, 10_000, 5_000, 10_000, 10_000, 5_000])
    expect(r.lines.filter((l) => l.includes('boot.wait'))).toEqual([
      'info: waiting 25s (boot.wait) before boot group 2 of 3',
      'info: waiting 15s (boot.wait) before boot group 2 of 3',
      'info: waiting 5s (boot.wait) before boot group 2 of 3',
      'info: waiting 25s (boot.wait) before boot group 3 of 3',
      'info: waiting 15s (boot.wait) before boot group 3 of 3',
      'info: waiting 5s (boot.wait) before boot group 3 of 3',
    ])
  })
})
