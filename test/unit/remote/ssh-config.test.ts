import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expandTokens, readSshConfigFiles, SshConfigs } from '../../../src/remote/ssh-config.js'

const HOME = '/home/dev'
const USER_FILE = `
Host app1 app2
  HostName %h.internal.example
  User deploy
  Port 2222
  IdentityFile ~/.ssh/app_key
  ProxyJump bastion
Host direct
  HostName 10.0.0.9
  ProxyJump none
  IdentityFile %d/.ssh/%r_%h
  User ops
Host piped
  HostName 10.0.0.7
  ProxyCommand ssh -W %h:%p jump
Host *
  User fallback
  IdentityFile ~/.ssh/common
  ProxyJump everywhere
`
const SYSTEM_FILE = `
Host app1
  Port 2200
  IdentityFile /etc/ssh/shared_key
Host *
  ForwardAgent no
`
const configs = new SshConfigs([{ path: '~/.ssh/config', text: USER_FILE }, { path: '/etc/ssh/ssh_config', text: SYSTEM_FILE }], HOME)

describe('ssh config: what a Host block gives a host (first value wins, IdentityFile adds up)', () => {
  it.each([
    ['app1', { hostName: 'app1.internal.example', user: 'deploy', port: 2222, identityFiles: ['/home/dev/.ssh/app_key', '/home/dev/.ssh/common', '/etc/ssh/shared_key'], proxyJump: 'bastion' }],
    ['app2', { hostName: 'app2.internal.example', user: 'deploy', port: 2222, identityFiles: ['/home/dev/.ssh/app_key', '/home/dev/.ssh/common'], proxyJump: 'bastion' }],
    ['direct', { hostName: '10.0.0.9', user: 'ops', identityFiles: ['/home/dev/.ssh/ops_10.0.0.9', '/home/dev/.ssh/common'] }],
    ['piped', { hostName: '10.0.0.7', user: 'fallback', identityFiles: ['/home/dev/.ssh/common'], proxyCommand: 'ssh -W %h:%p jump' }],
    ['10.1.1.1', { user: 'fallback', identityFiles: ['/home/dev/.ssh/common'], proxyJump: 'everywhere' }],
  ])('%s', (alias, expected) => {
    expect(configs.resolve(alias, 'me')).toEqual(expected)
  })

  it('directive names are case-insensitive, as in ssh', () => {
    const c = new SshConfigs([{ path: 'f', text: 'host A\n  hostname 10.9.9.9\n  PROXYJUMP j\n' }], HOME)
    expect(c.resolve('A', 'me')).toEqual({ hostName: '10.9.9.9', identityFiles: [], proxyJump: 'j' })
  })

  it('never runs `Match exec` (a CI runner\'s files are not cutover\'s to execute)', () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'sshcfg-')), 'ran')
    const c = new SshConfigs([{ path: 'f', text: `Match exec "touch ${marker}"\n  HostName evil\n` }], HOME)
    expect(c.resolve('x', 'me').hostName).toBeUndefined()
    expect(() => readSshConfigFiles([marker], HOME)).toThrow(/ssh\/config: cannot read .*ran \(ENOENT\)/)
  })
})

describe('ssh config files: Kamal\'s ssh.config values', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshhome-'))
  mkdirSync(join(home, '.ssh'))
  writeFileSync(join(home, '.ssh', 'config'), 'Host a\n  HostName 1.2.3.4\n')
  writeFileSync(join(home, 'extra_config'), 'Host b\n')
  it.each([
    [true, [join(home, '.ssh', 'config')]],
    [undefined, [join(home, '.ssh', 'config')]],
    [false, []],
    ['~/extra_config', [join(home, 'extra_config')]],
    [['~/extra_config', join(home, '.ssh', 'config')], [join(home, 'extra_config'), join(home, '.ssh', 'config')]],
  ])('%j reads %j (plus /etc/ssh/ssh_config when true and present)', (setting, expected) => {
    const paths = readSshConfigFiles(setting, home).map((f) => f.path).filter((p) => p !== '/etc/ssh/ssh_config')
    expect(paths).toEqual(expected)
  })

  it('a named file that is missing is an error naming ssh/config and the fix', () => {
    expect(() => readSshConfigFiles('~/nope', home)).toThrow(/^ssh\/config: cannot read ~\/nope \(ENOENT\): fix the path, or set ssh\/config to true \(the default files\) or false$/)
  })
})

describe('ssh % tokens', () => {
  it.each([
    ['ssh -W %h:%p %r@jump', 'ssh -W 10.0.0.1:22 root@jump'],
    ['100%%', '100%'],
    ['%x stays', '%x stays'],
  ])('%s → %s', (text, expected) => {
    expect(expandTokens(text, { h: '10.0.0.1', p: '22', r: 'root' })).toBe(expected)
  })
})
