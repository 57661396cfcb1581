import { describe, expect, it } from 'vitest'
import { hookEnv, HOOK_NAMES, type HookName, type HookRun } from '../../../src/hooks/env.js'

const run: HookRun = { service: 'app', version: 'a118888e686cabadd9ad137f61c32603b2fb7dbd', performer: 'ci@example.test', command: 'deploy', hosts: ['vm1', 'vm2'] }
const at = new Date('2026-12-07T23:08:57.123Z')
const secrets = { DB_PASSWORD: 'pw-sentinel', OTHER: 'other-sentinel' }

// What Kamal 2.11.0 set for the same hook, measured (a pre-connect hook printing its env): the
// version is the app's (git sha), abbreviated to 7 in SERVICE_VERSION, the time to the second,
// DESTINATION/ROLES/SUBCOMMAND absent when unset, and every secret of .kamal/secrets added.
const KAMAL_BASE = {
  KAMAL_RECORDED_AT: '2026-12-07T23:08:57Z',
  KAMAL_PERFORMER: 'ci@example.test',
  KAMAL_VERSION: 'a118888e686cabadd9ad137f61c32603b2fb7dbd',
  KAMAL_SERVICE_VERSION: 'app@a118888',
  KAMAL_SERVICE: 'app',
  KAMAL_HOSTS: 'vm1,vm2',
  KAMAL_COMMAND: 'deploy',
}

describe('hookEnv: the variables Kamal sets, per hook', () => {
  const rows: { hook: HookName; lock: boolean; hosts?: string[]; runtimeS?: number; want: Record<string, string> }[] = [
    { hook: 'pre-connect', lock: false, want: { ...KAMAL_BASE, KAMAL_LOCK: 'false', ...secrets } },
    { hook: 'pre-build', lock: false, want: { ...KAMAL_BASE, KAMAL_LOCK: 'false' } },
    { hook: 'pre-deploy', lock: true, want: { ...KAMAL_BASE, KAMAL_LOCK: 'true', ...secrets } },
    { hook: 'pre-app-boot', lock: true, hosts: ['vm2'], want: { ...KAMAL_BASE, KAMAL_HOSTS: 'vm2', KAMAL_LOCK: 'true' } },
    { hook: 'post-app-boot', lock: true, hosts: ['vm2'], want: { ...KAMAL_BASE, KAMAL_HOSTS: 'vm2', KAMAL_LOCK: 'true' } },
    { hook: 'post-deploy', lock: false, runtimeS: 42, want: { ...KAMAL_BASE, KAMAL_LOCK: 'false', KAMAL_RUNTIME: '42', ...secrets } },
    { hook: 'docker-setup', lock: true, want: { ...KAMAL_BASE, KAMAL_LOCK: 'true' } },
  ]
  it('covers every hook', () => expect(rows.map((r) => r.hook).sort()).toEqual([...HOOK_NAMES].sort()))
  it.each(rows)('$hook', ({ hook, lock, hosts, runtimeS, want }) => {
    expect(hookEnv(hook, run, { lock, secrets, ...(hosts ? { hosts } : {}), ...(runtimeS !== undefined ? { runtimeS } : {}) }, at)).toEqual(want)
  })

  it('adds DESTINATION, ROLES and SUBCOMMAND only when set; an _uncommitted_ version is not cut', () => {
    const env = hookEnv('pre-build', { ...run, version: 'abc1234def_uncommitted_0123456789abcdef', destination: 'staging', roles: ['web', 'job'], subcommand: 'bootstrap' }, { lock: false }, at)
    expect(env).toMatchObject({ KAMAL_DESTINATION: 'staging', KAMAL_ROLES: 'web,job', KAMAL_SUBCOMMAND: 'bootstrap', KAMAL_SERVICE_VERSION: 'app@abc1234def_uncommitted_0123456789abcdef' })
    expect(hookEnv('pre-build', { ...run, destination: '', roles: [] }, { lock: false }, at)).not.toHaveProperty('KAMAL_DESTINATION')
    expect(hookEnv('pre-build', { ...run, roles: [] }, { lock: false }, at)).not.toHaveProperty('KAMAL_ROLES')
  })

  it('a secret named like a KAMAL_ variable wins, as Kamal merges secrets last', () => {
    expect(hookEnv('pre-deploy', run, { lock: true, secrets: { KAMAL_SERVICE: 'from-secrets' } }, at).KAMAL_SERVICE).toBe('from-secrets')
  })
})
