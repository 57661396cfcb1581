import { describe, expect, it } from 'vitest'
import { lockTracker } from '../../../src/action/lock-tracker.js'

function io() {
  const states: boolean[] = []
  const controller = new AbortController()
  return { states, controller, io: { lockState: (held: boolean) => void states.push(held), signal: controller.signal } }
}
const heldLock = () => {
  const lock = { releases: 0, release: async () => void lock.releases++ }
  return lock
}

describe('lockTracker: the post step\'s lock state around one engine operation', () => {
  it('says maybe-held before the attempt, and free once a deploy that took and released the lock settles', () => {
    const t = io()
    const tracker = lockTracker(t.io)
    tracker.attempting()
    tracker.onLock(heldLock())
    tracker.onLock(null)
    tracker.settled()
    expect(t.states).toEqual([true, true, false, false])
  })

  it('goes back to free when the operation settles without ever taking the lock (a no-op deploy, a lock held by someone else)', () => {
    const t = io()
    const tracker = lockTracker(t.io)
    tracker.attempting()
    tracker.settled()
    expect(t.states).toEqual([true, false])
  })

  it('stays maybe-held when the step dies between the attempt and the engine reporting the lock (no settle)', () => {
    const t = io()
    lockTracker(t.io).attempting()
    expect(t.states.at(-1)).toBe(true)
  })

  it('stays held when the operation settles still holding the lock', () => {
    const t = io()
    const tracker = lockTracker(t.io)
    tracker.attempting()
    tracker.onLock(heldLock())
    tracker.settled()
    expect(t.states.at(-1)).toBe(true)
  })

  it('releases the held lock when the job is cancelled (and not one already released), handing the caller the release to await', async () => {
    const t = io()
    const releases: Promise<unknown>[] = []
    const tracker = lockTracker(t.io, releases)
    const first = heldLock()
    tracker.onLock(first)
    tracker.onLock(null)
    const second = heldLock()
    tracker.onLock(second)
    t.controller.abort()
    expect(releases).toHaveLength(1)
    await Promise.all(releases)
    expect(first.releases).toBe(0)
    expect(second.releases).toBe(1)
    // Released: nothing left for the post step.
    expect(t.states.at(-1)).toBe(false)
  })

  it('a release that fails on cancel leaves the state maybe-held, for the post step', async () => {
    const t = io()
    const releases: Promise<unknown>[] = []
    const tracker = lockTracker(t.io, releases)
    tracker.onLock({ release: () => Promise.reject(new Error('host gone')) })
    t.controller.abort()
    await Promise.all(releases)
    expect(t.states.at(-1)).toBe(true)
  })
})
