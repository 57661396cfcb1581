import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as lock from '../../../src/argv/lock.js'
import { lockDirectory } from '../../../src/argv/names.js'
import { runInSh, tempDir } from '../helpers/sh.js'

const details: lock.LockDetails = {
  lockedBy: 'ci@example.com',
  at: '2025-01-02T03:04:05Z',
  version: 'v2',
  message: `deploy "v2" $(id)\nsecond line`,
  run: 'https://github.com/o/r/actions/runs/42',
}
const dir = lockDirectory({ service: 'app', destination: 'staging' })

describe('lock commands (run by a real sh, in a scratch home)', () => {
  it('paths follow Kamal', () => {
    expect(dir).toBe('.kamal/lock-app-staging')
    expect(lockDirectory({ service: 'app', destination: null })).toBe('.kamal/lock-app')
  })

  it('acquire takes a free lock; a second acquire reports the holder; release frees it', () => {
    const home = tempDir('lock')
    expect(lock.parseLockStatus(runInSh(lock.status(dir), home).stdout)).toEqual({ held: false })

    const first = runInSh(lock.acquire(dir, details), home)
    expect(first.code).toBe(0)
    expect(lock.interpretAcquire(first.code, first.stdout)).toEqual({ acquired: true })

    const second = runInSh(lock.acquire(dir, { ...details, lockedBy: 'someone-else' }), home)
    expect(second.code).toBe(lock.LOCK_HELD_EXIT)
    const held = lock.interpretAcquire(second.code, second.stdout)
    expect(held).toMatchObject({ acquired: false, state: { held: true, details: { ...details, message: 'deploy "v2" $(id) second line' } } })

    const status = lock.parseLockStatus(runInSh(lock.status(dir), home).stdout)
    expect(status.held && status.details?.lockedBy).toBe('ci@example.com')
    expect(lock.describeLock(status)).toMatch(/^locked by ci@example\.com at 2025-01-02T03:04:05Z for version v2 \(deploy "v2" \$\(id\) second line\), run https:\/\/github\.com\/o\/r\/actions\/runs\/42, held for \d+s, last heartbeat \d+s ago$/)

    expect(runInSh(lock.release(dir), home).code).toBe(0)
    expect(existsSync(join(home, dir))).toBe(false)
    expect(runInSh(lock.acquire(dir, details), home).code).toBe(0)
  })

  it("Kamal reads our lock: `stat dir && cat details | base64 -d` gives Kamal's lines", () => {
    const home = tempDir('lock')
    runInSh(lock.acquire(dir, details), home)
    const text = execFileSync('sh', ['-c', `stat ${dir} > /dev/null && cat ${dir}/details | base64 -d`], { cwd: home, encoding: 'utf8' })
    expect(text).toBe('Locked by: ci@example.com at 2025-01-02T03:04:05Z\nVersion: v2\nMessage: deploy "v2" $(id) second line\nRun: https://github.com/o/r/actions/runs/42')
  })

  it("we read Kamal's lock (its base64 is wrapped at 60 columns)", () => {
    const home = tempDir('lock')
    mkdirSync(join(home, dir), { recursive: true })
    const kamalText = 'Locked by: Jane Doe at 2024-06-01T10:00:00Z\nVersion: 0123456789abcdef0123456789abcdef01234567\nMessage: Manual lock for maintenance'
    const b64 = Buffer.from(kamalText).toString('base64').replace(/(.{60})/g, '$1\n')
    writeFileSync(join(home, dir, 'details'), `${b64}\n\n`)
    const status = lock.parseLockStatus(runInSh(lock.status(dir), home).stdout)
    expect(status).toMatchObject({
      held: true,
      text: kamalText,
      details: { lockedBy: 'Jane Doe', at: '2024-06-01T10:00:00Z', version: '0123456789abcdef0123456789abcdef01234567', message: 'Manual lock for maintenance' },
    })
    // Kamal's lock has an age but no heartbeat of ours: never stale, whatever the threshold.
    expect(status.held && status.ages).toEqual({ lockS: expect.any(Number) })
    expect(lock.isStale(status, 0)).toBe(false)
    expect(lock.describeLock(status)).toMatch(/held for \d+s, no heartbeat \(a Kamal lock, or an older cutover's\)$/)
  })

  it('our lock carries a heartbeat file; its age decides stale, by the host clock', () => {
    const home = tempDir('lock')
    runInSh(lock.acquire(dir, details), home)
    const fresh = lock.parseLockStatus(runInSh(lock.status(dir), home).stdout)
    expect(fresh.held && fresh.ages?.heartbeatS).toBeLessThanOrEqual(2)
    expect(lock.isStale(fresh, 120)).toBe(false)
    // A dead holder: its last heartbeat 10 minutes ago.
    const old = String(Math.floor(Date.now() / 1000) - 600)
    writeFileSync(join(home, dir, lock.HEARTBEAT_FILE), `${old}\n`)
    const dead = lock.parseLockStatus(runInSh(lock.status(dir), home).stdout)
    expect(dead.held && dead.ages).toMatchObject({ heartbeat: old, heartbeatS: expect.any(Number) })
    expect(dead.held && dead.ages!.heartbeatS!).toBeGreaterThanOrEqual(599)
    expect(lock.isStale(dead, 120)).toBe(true)
    expect(lock.isStale(dead, 900)).toBe(false)
    // The holder's refresh makes it live again.
    expect(runInSh(lock.heartbeat(dir), home).code).toBe(0)
    expect(lock.isStale(lock.parseLockStatus(runInSh(lock.status(dir), home).stdout), 120)).toBe(false)
  })

  it('breakStale removes only the lock whose heartbeat it judged; heartbeat on a removed lock says so', () => {
    const home = tempDir('lock')
    runInSh(lock.acquire(dir, details), home)
    writeFileSync(join(home, dir, lock.HEARTBEAT_FILE), '1000\n')
    expect(runInSh(lock.breakStale(dir, '999'), home).code).toBe(lock.LOCK_HELD_EXIT)
    expect(existsSync(join(home, dir))).toBe(true)
    expect(runInSh(lock.breakStale(dir, '1000'), home).code).toBe(0)
    expect(existsSync(join(home, dir))).toBe(false)
    expect(runInSh(lock.heartbeat(dir), home).code).toBe(lock.LOCK_GONE_EXIT)
    expect(existsSync(join(home, dir))).toBe(false)
  })

  it('a lock dir without details (acquire killed halfway) still reads as held; release clears it', () => {
    const home = tempDir('lock')
    mkdirSync(join(home, dir), { recursive: true })
    const status = lock.parseLockStatus(runInSh(lock.status(dir), home).stdout)
    expect(status).toMatchObject({ held: true, text: '', details: null })
    expect(lock.isStale(status, 0)).toBe(false)
    expect(lock.describeLock(status)).toBe('the lock is held: (no details)')
    expect(runInSh(lock.release(dir), home).code).toBe(0)
    expect(existsSync(join(home, dir))).toBe(false)
  })

  it('acquire that fails for another reason is an error, not "held"', () => {
    const home = tempDir('lock')
    writeFileSync(join(home, '.kamal'), 'a file where the directory should be')
    const r = runInSh(lock.acquire(dir, details), home)
    expect(r.code).not.toBe(0)
    expect(r.code).not.toBe(lock.LOCK_HELD_EXIT)
    expect(lock.interpretAcquire(r.code, r.stdout)).toEqual({ error: true })
  })

  it('values are positional parameters, never script text', () => {
    const argv = lock.acquire('.kamal/lock-$(id)', details)
    expect(argv.slice(0, 2)).toEqual(['sh', '-c'])
    expect(argv[2]).not.toContain('$(id)')
    expect(argv[4]).toBe('.kamal/lock-$(id)')
  })

  it.each([
    [lock.status('.kamal/lock-app'), ['sh', '-c', lock.LOCK_STATUS_SCRIPT, 'cutover-lock', '.kamal/lock-app']],
    [lock.release('.kamal/lock-app'), ['rm', '-rf', '--', '.kamal/lock-app']],
    [lock.acquire('.kamal/lock-app', { lockedBy: 'a', at: 't', version: 'v', message: 'm' }).slice(3), ['cutover-lock', '.kamal/lock-app', Buffer.from('Locked by: a at t\nVersion: v\nMessage: m').toString('base64')]],
  ])('argv %j', (argv, expected) => {
    expect(argv).toEqual(expected)
  })
})
