import { describe, expect, it } from 'vitest'
import type { Hosts } from '../../../src/engine/hosts.js'
import { withLock, type LockRequest } from '../../../src/engine/lock.js'
import { memoryLogger } from '../../../src/log.js'
import { FakeRemoteHost, type Answer } from '../helpers/fake-remote-host.js'

// withLock always releases the deploy lock, and says so when the release did not work: a lock
// left behind blocks every later deploy, so the warning names whose lock it is and the fix.

const SECRET = 'sentinel-77aa'
const redact = (text: string): string => text.replaceAll(SECRET, '[redacted]')
const details = { lockedBy: 'me', at: '2026-01-01T00:00:00Z', version: 'v2', message: 'Deploying v2' }
const isRelease = (argv: readonly string[]): boolean => argv[0] === 'rm'

async function lockAround(app: LockRequest['app'], release: Answer, work: () => Promise<string> = async () => 'done') {
  const host = new FakeRemoteHost('vm1').on(isRelease, release)
  const pool: Hosts = { host: async () => host, redact }
  const logger = memoryLogger()
  const held: string[] = []
  const outcome = await withLock({ host: 'vm1', app, details }, { pool, logger, onLock: (h) => void held.push(h ? 'held' : 'released') }, work).then(
    (ok) => ({ ok }),
    (error: Error) => ({ error: error.message }),
  )
  return { outcome, warnings: logger.lines.filter((l) => l.startsWith('warn: ')), held, releases: host.sent.filter((s) => isRelease(s.argv)).length }
}

describe('withLock: releasing the lock', () => {
  it.each([
    ['the work succeeds', async (): Promise<string> => 'done', { ok: 'done' }],
    ['the work fails', async (): Promise<string> => Promise.reject(new Error('vm1: web: pull failed')), { error: 'vm1: web: pull failed' }],
  ] as const)('is released once when %s, with nothing to warn about', async (_, work, outcome) => {
    const r = await lockAround({ service: 'shop', destination: null }, {}, work)
    expect(r.outcome).toEqual(outcome)
    expect(r.releases).toBe(1)
    expect(r.warnings).toEqual([])
    expect(r.held).toEqual(['held', 'released'])
  })

  it.each([
    {
      name: 'rm exits non-zero',
      app: { service: 'shop', destination: null },
      release: { code: 1, stderr: `rm: cannot remove '.kamal/lock-shop': Permission denied ${SECRET}` } as Answer,
      why: "removing .kamal/lock-shop failed: rm: cannot remove '.kamal/lock-shop': Permission denied [redacted]",
      fix: 'release it with `cutover lock release` (or remove .kamal/lock-shop on vm1)',
      whose: 'shop',
    },
    {
      name: 'the connection drops',
      app: { service: 'shop', destination: 'staging' },
      release: new Error('vm1: connection lost'),
      why: 'vm1: connection lost',
      fix: 'release it with `cutover lock release -d staging` (or remove .kamal/lock-shop-staging on vm1)',
      whose: 'shop (destination staging)',
    },
  ])('a failed release ($name) warns whose lock is left, why, and the exact fix; the run\'s own outcome stands', async ({ app, release, why, fix, whose }) => {
    const r = await lockAround(app, release)
    expect(r.outcome).toEqual({ ok: 'done' })
    expect(r.warnings).toEqual([`warn: could not release the deploy lock of ${whose} on vm1: ${why}. It stays held and blocks the next deploy: ${fix}`])
    expect(r.warnings.join('\n')).not.toContain(SECRET)
    expect(r.held).toEqual(['held', 'released'])
  })

  it('a failed release does not hide the work\'s own failure', async () => {
    const r = await lockAround({ service: 'shop', destination: null }, { code: 1, stderr: 'busy' }, async () => Promise.reject(new Error('vm1: web: run failed')))
    expect(r.outcome).toEqual({ error: 'vm1: web: run failed' })
    expect(r.warnings).toHaveLength(1)
  })
})
