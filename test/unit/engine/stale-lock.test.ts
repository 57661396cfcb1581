/**
 * withLock's stale-lock rules, with the lock scripts run by a real sh in a scratch directory (a
 * local stand-in for the primary host): a stale lock is broken only with breakStale, a live or
 * heartbeat-less lock never; the holder keeps its heartbeat fresh while it works.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HEARTBEAT_FILE, renderLockDetails } from '../../../src/argv/lock.js'
import type { Hosts } from '../../../src/engine/hosts.js'
import { heartbeatEveryMs } from '../../../src/engine/lock-heartbeat.js'
import { LockHeldError, withLock, type LockRequest } from '../../../src/engine/lock.js'
import { memoryLogger } from '../../../src/log.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { runInSh } from '../helpers/sh.js'

const dir = '.kamal/lock-shop'
function localHost(): { home: string; pool: Hosts } {
  const home = mkdtempSync(join(tmpdir(), 'cutover-stale-'))
  const host: RemoteHost = { name: 'vm1', exec: async (argv) => runInSh(argv, home), upload: async () => undefined, close: async () => undefined }
  return { home, pool: { host: async () => host } }
}
const request = (extra: Partial<LockRequest> = {}): LockRequest => ({
  host: 'vm1',
  app: { service: 'shop', destination: null },
  details: { lockedBy: 'me@ci', at: '2026-01-01T00:00:00Z', version: 'v2', message: 'Deploying v2' },
  staleAfterS: 60,
  ...extra,
})
/** Another holder's lock: its details and (unless null) a heartbeat `ageS` seconds old. */
function otherLock(home: string, heartbeatAgeS: number | null): void {
  mkdirSync(join(home, dir), { recursive: true })
  writeFileSync(join(home, dir, 'details'), `${Buffer.from(renderLockDetails({ lockedBy: 'dead@runner', at: '2026-01-01T00:00:00Z', version: 'v1', message: 'Deploying v1' })).toString('base64')}\n`)
  if (heartbeatAgeS !== null) writeFileSync(join(home, dir, HEARTBEAT_FILE), `${Math.floor(Date.now() / 1000) - heartbeatAgeS}\n`)
}

describe('withLock and stale locks', () => {
  it('a stale lock is reported stale with its ages; without --break-stale-lock the run stops', async () => {
    const { home, pool } = localHost()
    otherLock(home, 600)
    const err = await withLock(request(), { pool, logger: memoryLogger() }, async () => 'ran').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockHeldError)
    expect(String((err as Error).message)).toMatch(/locked by dead@runner .*held for \d+s, last heartbeat 10m \d+s ago\. Its holder stopped refreshing its heartbeat more than 60s ago .* --break-stale-lock/)
  })

  it('with breakStale, a stale lock is broken with a warning naming its holder, and the run proceeds under its own lock', async () => {
    const { home, pool } = localHost()
    otherLock(home, 600)
    const logger = memoryLogger()
    const ran = await withLock(request({ breakStale: true }), { pool, logger }, async () => {
      expect(Buffer.from(readFileSync(join(home, dir, 'details'), 'utf8'), 'base64').toString()).toContain('Locked by: me@ci')
      return 'ran'
    })
    expect(ran).toBe('ran')
    expect(logger.lines.find((l) => l.startsWith('warn: vm1: breaking the stale deploy lock'))).toMatch(/locked by dead@runner/)
    expect(existsSync(join(home, dir))).toBe(false)
  })

  it.each([
    ['a live lock (fresh heartbeat)', 5, /Its heartbeat is live, so --break-stale-lock leaves it alone/],
    ["a lock without a heartbeat (Kamal's)", null, /no heartbeat .*never judged stale/],
  ])('with breakStale, %s is never broken', async (_, age, advice) => {
    const { home, pool } = localHost()
    otherLock(home, age)
    const logger = memoryLogger()
    const err = await withLock(request({ breakStale: true }), { pool, logger }, async () => 'ran').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockHeldError)
    expect((err as Error).message).toMatch(advice)
    expect(logger.lines.filter((l) => l.includes('breaking'))).toEqual([])
    expect(Buffer.from(readFileSync(join(home, dir, 'details'), 'utf8'), 'base64').toString()).toContain('dead@runner')
  })

  it('the holder refreshes its heartbeat while its work runs', async () => {
    const { home, pool } = localHost()
    const seen: string[] = []
    await withLock(request({ staleAfterS: 10 }), { pool, logger: memoryLogger() }, async () => {
      writeFileSync(join(home, dir, HEARTBEAT_FILE), '1\n') // pretend it is old: the next beat must overwrite it
      await new Promise((r) => setTimeout(r, heartbeatEveryMs(10) + 500))
      seen.push(readFileSync(join(home, dir, HEARTBEAT_FILE), 'utf8').trim())
    })
    expect(Number(seen[0])).toBeGreaterThan(Date.now() / 1000 - 10)
  })
})
