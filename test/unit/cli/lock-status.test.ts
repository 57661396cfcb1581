import { describe, expect, it } from 'vitest'
import { livenessLine } from '../../../src/cli/commands/lock.js'

const held = (ages?: { lockS: number; heartbeatS?: number }) => ({ held: true as const, details: null, text: '', ...(ages ? { ages } : {}) })

describe('lock status: age, heartbeat age and the verdict', () => {
  it.each([
    ['a live cutover lock', held({ lockS: 65, heartbeatS: 4 }), 'Held for 1m 5s, last heartbeat 4s ago: live (stale after 120s without a heartbeat)'],
    ['a stale one', held({ lockS: 900, heartbeatS: 600 }), 'Held for 15m 0s, last heartbeat 10m 0s ago: STALE (no heartbeat for more than 120s, x-cutover.lock.stale_after); deploy with --break-stale-lock to break it'],
    ["Kamal's lock (no heartbeat): only its age, never stale", held({ lockS: 7200 }), "Held for 2h 0m, no heartbeat (a Kamal lock, or an older cutover's); never judged stale"],
    ['a host that did not say', held(), 'Age unknown (the host did not say)'],
  ])('%s', (_, state, line) => {
    expect(livenessLine(state, 120)).toBe(line)
  })
})
