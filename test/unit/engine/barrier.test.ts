import { describe, expect, it } from 'vitest'
import { Barrier } from '../../../src/engine/barrier.js'

const state = async (b: Barrier): Promise<'open' | 'closed' | 'waiting'> =>
  Promise.race([b.opened.then(() => 'open' as const, () => 'closed' as const), new Promise<'waiting'>((r) => setImmediate(() => r('waiting')))])

describe('Barrier', () => {
  it('is open at once when no host has primary-role work', async () => {
    expect(await state(new Barrier(0))).toBe('open')
  })

  it('waits, then opens on the first healthy primary', async () => {
    const b = new Barrier(2)
    expect(await state(b)).toBe('waiting')
    b.primaryFailed()
    expect(await state(b)).toBe('waiting')
    b.primaryHealthy()
    expect(await state(b)).toBe('open')
  })

  it('closes only when the primary failed on every host, and says why', async () => {
    const b = new Barrier(2)
    b.primaryFailed()
    b.primaryFailed()
    await expect(b.opened).rejects.toThrow('the primary role did not become healthy on any host')
  })

  it('stays open once opened, whatever fails later', async () => {
    const b = new Barrier(1)
    b.primaryHealthy()
    b.primaryFailed()
    expect(await state(b)).toBe('open')
  })
})
