import { describe, expect, it } from 'vitest'
import { commandWords } from '../../../src/cli/commands/app/exec.js'
import { logFlags } from '../../../src/cli/commands/app/logs.js'
import { UsageError } from '../../../src/cli/command.js'
import { lockWaitSeconds, scopeFromFlags, verboseTrace } from '../../../src/cli/deploy-flags.js'
import { appHosts } from '../../../src/engine/app-hosts.js'
import type { DeployConfig } from '../../../src/config/index.js'

const config = {
  service: 'shop',
  roles: [
    { name: 'workers', primary: false, hosts: [{ host: 'vm2' }, { host: 'vm3' }] },
    { name: 'web', primary: true, hosts: [{ host: 'vm1' }, { host: 'vm2' }] },
  ],
} as unknown as DeployConfig

describe('deploy-like flags', () => {
  it.each([
    [{}, {}],
    [{ hosts: 'vm2, vm3' }, { onlyHosts: ['vm2', 'vm3'] }],
    [{ roles: 'workers' }, { onlyRoles: ['workers'] }],
    [{ primary: true }, { onlyHosts: ['vm1'] }],
    [{ primary: true, hosts: 'vm1,vm2' }, { onlyHosts: ['vm1'] }],
  ])('%j → %j', (values, expected) => {
    expect(scopeFromFlags(values, config)).toEqual(expected)
  })

  it('--primary with --hosts leaving it out is a usage error', () => {
    expect(() => scopeFromFlags({ primary: true, hosts: 'vm3' }, config)).toThrow(/--primary is vm1, which --hosts leaves out/)
  })

  it.each([['30', 30], ['1.5', 1.5], [undefined, undefined]])('--lock-wait %s → %s', (raw, s) => {
    expect(lockWaitSeconds(raw === undefined ? {} : { 'lock-wait': raw })).toBe(s)
  })

  it.each(['0', '-3', 'soon', ''])('--lock-wait %j is refused', (raw) => {
    expect(() => lockWaitSeconds({ 'lock-wait': raw })).toThrow(UsageError)
  })

  it('-v shows each command with its host, redacted; without -v nothing', () => {
    const out: string[] = []
    const io = { stdout: () => undefined, stderr: (s: string) => out.push(s), env: {}, cwd: '/' }
    verboseTrace({ verbose: true }, io, (s) => s.replace('hunter2', '[redacted]'))!('vm1', 'docker login -p hunter2')
    expect(out).toEqual(['[vm1] $ docker login -p [redacted]\n'])
    expect(verboseTrace({}, io, (s) => s)).toBeUndefined()
  })
})

describe('app hosts: --hosts/--roles narrow, primary role first', () => {
  it.each([
    [{}, [{ host: 'vm2', roles: ['web', 'workers'] }, { host: 'vm3', roles: ['workers'] }, { host: 'vm1', roles: ['web'] }]],
    [{ onlyRoles: ['web'] }, [{ host: 'vm2', roles: ['web'] }, { host: 'vm1', roles: ['web'] }]],
    [{ onlyHosts: ['vm3'] }, [{ host: 'vm3', roles: ['workers'] }]],
    [{ onlyHosts: ['vm3'], onlyRoles: ['web'] }, []],
  ])('%j', (only, expected) => {
    expect(appHosts(config, only)).toEqual(expected)
  })

  it('a host or role not in the config is named', () => {
    expect(() => appHosts(config, { onlyHosts: ['vm9'] })).toThrow(/--hosts: vm9 not in the config's servers \(hosts: vm2, vm3, vm1\)/)
    expect(() => appHosts(config, { onlyRoles: ['db'] })).toThrow(/--roles: db not a role .*\(roles: workers, web\)/)
  })
})

describe('app exec and logs flags', () => {
  it.each([
    [['bin/rails db:migrate'], ['bin/rails', 'db:migrate']],
    [['sh -c "echo $HOME && id"'], ['sh', '-c', 'echo $HOME && id']],
    [['ls', '-la', '/tmp dir'], ['ls', '-la', '/tmp dir']],
  ])('%j → %j', (given, words) => {
    expect(commandWords(given)).toEqual(words)
  })

  it.each([[['a && b']], [['a | b']], [[]]])('%j is refused', (given) => {
    expect(() => commandWords(given)).toThrow(UsageError)
  })

  it('-n must be a whole number; the rest passes through', () => {
    expect(logFlags({ lines: '20', grep: 'GET', since: '5m' })).toEqual({ lines: 20, grep: 'GET', since: '5m', follow: false })
    expect(() => logFlags({ lines: 'lots' })).toThrow(/--lines "lots": expected a whole number/)
  })
})
