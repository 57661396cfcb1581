import { describe, expect, it } from 'vitest'
import { FleetRollback } from '../../../src/engine/fleet-rollback.js'

const settled = async <T>(p: Promise<T>): Promise<T | 'pending'> => Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 20))])

describe('FleetRollback: one version across the fleet', () => {
  it('a member waits until every host of its role passed, then all go on', async () => {
    const f = new FleetRollback(true)
    for (const h of ['vm1', 'vm2', 'vm3']) f.expect(h, 'web')
    const v1 = f.verdict('vm1', 'web')
    const v2 = f.verdict('vm2', 'web')
    expect(await settled(v1)).toBe('pending')
    expect(f.pending('web')).toEqual(['vm3'])
    const v3 = f.verdict('vm3', 'web')
    expect(await Promise.all([v1, v2, v3])).toEqual([null, null, null])
  })

  it('one host failing rolls back every waiting host and every later one, naming the first failure', async () => {
    const f = new FleetRollback(true)
    for (const h of ['vm1', 'vm2', 'vm3']) f.expect(h, 'web')
    const v1 = f.verdict('vm1', 'web')
    f.failed('vm2', 'web', 'app-web-v2 it is exited (exit code 3)')
    f.failed('vm3', 'web', 'a later failure')
    expect(await v1).toBe('vm2 web: app-web-v2 it is exited (exit code 3)')
    expect(await f.verdict('vm3', 'web')).toBe('vm2 web: app-web-v2 it is exited (exit code 3)')
  })

  it('a failure of another role releases waiters of every role', async () => {
    const f = new FleetRollback(true)
    f.expect('vm1', 'web')
    f.expect('vm2', 'web')
    f.expect('vm1', 'workers')
    const v = f.verdict('vm1', 'web')
    f.failed('vm1', 'workers', 'boom')
    expect(await v).toMatch(/vm1 workers: boom/)
  })

  it('roles wait only for their own role (no wait on a later role of the same host)', async () => {
    const f = new FleetRollback(true)
    f.expect('vm1', 'web')
    f.expect('vm1', 'workers')
    expect(await settled(f.verdict('vm1', 'web'))).toBeNull()
  })

  it('fleet_rollback false: each host decides alone', async () => {
    const f = new FleetRollback(false)
    f.expect('vm1', 'web')
    f.expect('vm2', 'web')
    f.failed('vm2', 'web', 'boom')
    expect(await settled(f.verdict('vm1', 'web'))).toBeNull()
    expect(await f.undoFinished()).toEqual([])
  })

  it('finished members are undone when a later failure comes (what a boot-group loop calls)', async () => {
    const f = new FleetRollback(true)
    f.expect('vm1', 'web')
    expect(await f.verdict('vm1', 'web')).toBeNull()
    f.finished('vm1', 'web', async () => 'switched back to app-web-v1')
    expect(await f.undoFinished()).toEqual([]) // nothing failed: nothing undone
    f.failed('vm2', 'web', 'boom')
    expect(await f.undoFinished()).toEqual([{ host: 'vm1', role: 'web', said: 'switched back to app-web-v1' }])
    expect(await f.undoFinished()).toEqual([]) // each undo once
  })
})
