import { describe, expect, it } from 'vitest'
import { memoryLogger } from '../../../src/log.js'
import { PROGRESS_EVERY_MS, withProgress } from '../../../src/engine/progress.js'

/** A hand-driven clock and interval, so the test controls time. */
function fakeTime() {
  let t = 0
  let tick: (() => void) | null = null
  let cleared = false
  return {
    now: () => t,
    setInterval: (fn: () => void) => ((tick = fn), 1),
    clearInterval: () => void (cleared = true),
    advance(ms: number) {
      t += ms
      tick?.()
    },
    cleared: () => cleared,
  }
}

describe('withProgress', () => {
  it('says every interval which host and step it waits on and for how long, and stops when the work settles', async () => {
    const time = fakeTime()
    const log = memoryLogger()
    let finish!: (v: string) => void
    const waiting = withProgress(log, 'vm2', 'wait for app-web-1 to be healthy', new Promise<string>((r) => (finish = r)), time)
    time.advance(10_000)
    time.advance(10_000)
    finish('done')
    await expect(waiting).resolves.toBe('done')
    expect(log.lines).toEqual(['info: still waiting on vm2: wait for app-web-1 to be healthy (10s)', 'info: still waiting on vm2: wait for app-web-1 to be healthy (20s)'])
    expect(time.cleared()).toBe(true)
  })

  it('stops on failure too, and the interval is at most 10 s', async () => {
    const time = fakeTime()
    await expect(withProgress(memoryLogger(), 'vm1', 'pull', Promise.reject(new Error('no')), time)).rejects.toThrow('no')
    expect(time.cleared()).toBe(true)
    expect(PROGRESS_EVERY_MS).toBeLessThanOrEqual(10_000)
  })
})
