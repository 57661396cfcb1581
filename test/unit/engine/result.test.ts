import { describe, expect, it } from 'vitest'
import { changedAny, type HostAction } from '../../../src/engine/result.js'

const hosts = (...actions: HostAction[]) => actions.map((action, i) => ({ host: `vm${i + 1}`, role: 'web', action, durationMs: 1 }))

describe('changedAny: did the run change what any host serves?', () => {
  it.each<[HostAction[], boolean]>([
    [['unchanged', 'unchanged'], false],
    [['failed', 'failed'], false],
    [['failed', 'unchanged'], false],
    [['booted', 'failed'], true],
    [['unchanged', 'replaced'], true],
    [['removed'], true],
    [[], false],
  ])('%j → %s', (actions, changed) => {
    expect(changedAny(hosts(...actions))).toBe(changed)
  })
})
