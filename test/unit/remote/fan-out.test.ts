import { describe, expect, it } from 'vitest'
import { allOrThrow, fanOut, HostsFailedError } from '../../../src/remote/fan-out.js'
import { memoryLogger } from '../../../src/log.js'

const hosts = [{ name: 'vm1' }, { name: 'vm2' }, { name: 'vm3' }]

describe('fanOut', () => {
  it('runs every host at once, even when some fail, and keeps the hosts\' order', async () => {
    const log = memoryLogger()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const running: string[] = []
    const pending = fanOut(hosts, log, async (h, hostLog) => {
      running.push(h.name)
      if (running.length === hosts.length) release()
      await gate // every host must have started before any finishes: they run in parallel
      hostLog.info('working\nsecond line')
      if (h.name === 'vm2') throw new Error('disk full\nsee df')
      return h.name.toUpperCase()
    })
    const outcomes = await pending
    expect(outcomes.map((o) => (o.ok ? ['ok', o.host, o.value] : ['failed', o.host, o.error.message]))).toEqual([
      ['ok', 'vm1', 'VM1'],
      ['failed', 'vm2', 'disk full\nsee df'],
      ['ok', 'vm3', 'VM3'],
    ])
    expect(log.lines).toContain('info: [vm1] working')
    expect(log.lines).toContain('info: [vm1] second line')
    expect(log.lines).toContain('error: [vm2] disk full')
    expect(log.lines).toContain('error: [vm2] see df')
  })

  it('turns a thrown non-Error into an Error', async () => {
    const [o] = await fanOut([{ name: 'vm1' }], memoryLogger(), async () => {
      throw 'plain string'
    })
    expect(o).toMatchObject({ ok: false, host: 'vm1' })
    expect(o?.ok === false && o.error.message).toBe('plain string')
  })
})

describe('allOrThrow', () => {
  it('returns the values when all hosts succeeded', () => {
    expect(allOrThrow([{ host: 'vm1', ok: true, value: 1, durationMs: 0 }, { host: 'vm2', ok: true, value: 2, durationMs: 0 }])).toEqual([1, 2])
  })

  it('throws one error naming every failed host and why', () => {
    const run = () =>
      allOrThrow([
        { host: 'vm1', ok: false, error: new Error('cannot connect'), durationMs: 0 },
        { host: 'vm2', ok: true, value: 2, durationMs: 0 },
        { host: 'vm3', ok: false, error: new Error('lock held\nby ci'), durationMs: 0 },
      ])
    expect(run).toThrow(HostsFailedError)
    expect(run).toThrow('2 of 3 hosts failed:\n  vm1: cannot connect\n  vm3: lock held\n    by ci')
  })
})
