/**
 * Kamal's SSH settings against the real testbed hosts: an ssh config file with a Host alias
 * reached through ProxyJump and through a ProxyCommand (real OpenSSH `ssh -W`), and keys from a
 * real ssh-agent. The hosts' sshd reports the client address in SSH_CONNECTION, which shows the
 * connection really came through the jump host.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SshPool } from '../../src/remote/index.js'
import { hostKeyLines, pool, testbed } from './testbed.js'

const [vm1, vm2] = testbed.hosts as [(typeof testbed.hosts)[number], (typeof testbed.hosts)[number]]
const dir = mkdtempSync(join(tmpdir(), 'h2-sshcfg-'))
/** A home with no ~/.ssh keys or config, so only what a test gives is used. */
const home = join(dir, 'home')
mkdirSync(join(home, '.ssh'), { recursive: true })
const pools: SshPool[] = []
const track = (p: SshPool) => (pools.push(p), p)
const clientAddress = async (p: SshPool, target: string) => {
  const r = await (await p.host(target)).exec(['sh', '-c', 'echo "$(hostname) ${SSH_CONNECTION%% *}"'])
  expect(r.code).toBe(0)
  return r.stdout.trim()
}
const configFile = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
/** No keys of its own: the IdentityFile, the agent or nothing. */
const noKeys = { keys: { paths: [] }, home, user: testbed.ssh.user, port: 22 }

afterAll(async () => {
  await Promise.all(pools.map((p) => p.closeAll()))
})

describe('ssh.config', () => {
  // User and Port in the file are wrong on purpose: ssh.user and ssh.port win, as in Kamal.
  const config = configFile('jump_config', [
    'Host h2-jump',
    `  HostName ${vm1.address}`,
    `  User ${testbed.ssh.user}`,
    `  IdentityFile ${testbed.ssh.keyPath}`,
    'Host h2-app',
    `  HostName ${vm2.address}`,
    '  ProxyJump h2-jump',
    `  IdentityFile ${testbed.ssh.keyPath}`,
    '  User nobody',
    '  Port 2222',
    'Host h2-piped',
    `  HostName ${vm2.address}`,
    `  IdentityFile ${testbed.ssh.keyPath}`,
    `  ProxyCommand ssh -i ${testbed.ssh.keyPath} -o UserKnownHostsFile=${testbed.ssh.knownHostsPath} -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -W %h:%p ${testbed.ssh.user}@${vm1.address}`,
    '',
  ].join('\n'))

  it('a Host alias with ProxyJump: HostName, IdentityFile and the jump from the file; user and port from ssh.*', async () => {
    const p = track(pool({ ...noKeys, sshConfig: config }))
    expect(await clientAddress(p, 'h2-app')).toBe(`vm2 ${vm1.address}`)
  })

  it('a Host alias with ProxyCommand (OpenSSH\'s ssh -W) carries the connection', async () => {
    const p = track(pool({ ...noKeys, sshConfig: [config] }))
    expect(await clientAddress(p, 'h2-piped')).toBe(`vm2 ${vm1.address}`)
  })

  it('the host key is still checked against known_hosts, by the HostName', async () => {
    const p = track(pool({ ...noKeys, sshConfig: config, knownHosts: (() => {
      const kh = join(dir, 'only_vm1')
      writeFileSync(kh, `${hostKeyLines(vm1.address).join('\n')}\n`)
      return kh
    })() }))
    const err = await p.host('h2-app').then(() => undefined, (e: Error) => e)
    expect(err?.message).toMatch(new RegExp(`^h2-app \\(root@${vm2.address.replace(/\./g, '\\.')}\\): host key is unknown`))
  })

  it('ssh.config false: the alias means nothing', async () => {
    const p = track(pool({ keys: { paths: [testbed.ssh.keyPath] }, home, sshConfig: false, connectTimeoutMs: 5_000 }))
    await expect(p.host('h2-app')).rejects.toThrow(/h2-app/)
  })
})

describe('ssh-agent', () => {
  const sock = join(dir, 'agent.sock')
  let agentPid: number | undefined
  beforeAll(() => {
    const out = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8', timeout: 10_000 })
    agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1])
    execFileSync('ssh-add', [testbed.ssh.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore', timeout: 10_000 })
  })
  afterAll(() => {
    if (agentPid) process.kill(agentPid)
  })

  it('logs in with the agent\'s key when no key is given', async () => {
    const p = track(pool({ ...noKeys, agent: sock }))
    expect(await clientAddress(p, vm1.address)).toMatch(/^vm1 /)
  })

  it('ssh.keys_only: the agent is not asked, so with no key file there is nothing to offer', async () => {
    const p = track(pool({ ...noKeys, agent: sock, keysOnly: true }))
    await expect(p.host(vm1.address)).rejects.toThrow(/no SSH key for 10\.213\.77\.11: .*ssh\.keys_only is set, so the agent is not asked/)
  })

  it('the default ~/.ssh/id_ed25519 is used when no key is named and no agent runs', async () => {
    const own = join(dir, 'home2')
    mkdirSync(join(own, '.ssh'), { recursive: true })
    execFileSync('cp', [testbed.ssh.keyPath, join(own, '.ssh', 'id_ed25519')])
    const p = track(pool({ keys: { paths: [] }, home: own, user: testbed.ssh.user }))
    expect(await clientAddress(p, vm1.address)).toMatch(/^vm1 /)
  })
})
