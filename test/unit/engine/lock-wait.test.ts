/**
 * `--lock-wait`: withLock asks for a held lock again until it is free or the wait is over, naming
 * the holder at least every 10 s. The lock scripts run in a real sh in a scratch directory; the
 * clock and the pause are fakes, so no test waits for real.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderLockDetails } from '../../../src/argv/lock.js'
import { LockHeldError, withLock, type LockRequest } from '../../../src/engine/lock.js'
import { memoryLogger } from '../../../src/log.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { runInSh } from '../helpers/sh.js'

const dir = '.kamal/lock-shop'
const request = (extra: Partial<LockRequest> = {}): LockRequest => ({
  host: 'vm1',
  app: { service: 'shop', destination: null },
  details: { lockedBy: 'me@ci', at: '2026-01-01T00:00:00Z', version: 'v2', message: 'Deploying v2' },
  ...extra,
})

function heldHost(): { home: string; pool: { host: () => Promise<RemoteHost> } } {
  const home = mkdtempSync(join(tmpdir(), 'cutover-wait-'))
  mkdirSync(join(home, dir), { recursive: true })
  writeFileSync(join(home, dir, 'details'), `${Buffer.from(renderLockDetails({ lockedBy: 'other@laptop', at: '2026-01-01T00:00:00Z', version: 'v1', message: 'Deploying v1' })).toString('base64')}\n`)
  const host: RemoteHost = { name: 'vm1', exec: async (argv) => runInSh(argv, home), upload: async () => undefined, close: async () => undefined }
  return { home, pool: { host: async () => host } }
}

/** A fake clock that each sleep moves forward; `onSleep` sees the time after each. */
function fakeTime(onSleep: (nowMs: number) => void = () => undefined) {
  let t = 0
  return { now: () => t, sleep: async (ms: number) => { t += ms; onSleep(t) } }
}

describe('withLock --lock-wait', () => {
  it('waits for the holder to release, then runs under its own lock; says who holds it at least every 10 s', async () => {
    const { home, pool } = heldHost()
    const time = fakeTime((t) => { if (t >= 25_000) rmSync(join(home, dir), { recursive: true, force: true }) })
    const logger = memoryLogger()
    const ran = await withLock(request({ waitS: 60 }), { pool, logger, ...time }, async () => 'ran')
    expect(ran).toBe('ran')
    const waiting = logger.lines.filter((l) => l.includes('waiting for the deploy lock'))
    expect(waiting.length).toBe(3) // at 0 s, 10 s, 20 s
    for (const line of waiting) expect(line).toMatch(/vm1: waiting for the deploy lock \.kamal\/lock-shop \(\d+s of 60s, --lock-wait\): locked by other@laptop/)
    expect(waiting.map((l) => /\((\d+)s of/.exec(l)![1])).toEqual(['0', '10', '20'])
  })

  it('gives up after the wait with the holder named and the wait said', async () => {
    const { pool } = heldHost()
    const err = await withLock(request({ waitS: 5 }), { pool, logger: memoryLogger(), ...fakeTime() }, async () => 'ran').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockHeldError)
    expect((err as Error).message).toMatch(/held \(still, after waiting 5s\): locked by other@laptop/)
  })

  it('without --lock-wait a held lock fails at once (no wait, no sleep)', async () => {
    const { pool } = heldHost()
    let slept = 0
    const err = await withLock(request(), { pool, logger: memoryLogger(), now: () => 0, sleep: async () => void slept++ }, async () => 'ran').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockHeldError)
    expect(slept).toBe(0)
  })
})
