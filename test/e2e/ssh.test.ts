import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import net from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { shellJoin } from '../../src/argv/shell-join.js'
import { connect, fingerprint, loadKeys, scanKnownHosts, type SshPool } from '../../src/remote/index.js'
import { CLI, cutover } from './support/cli.js'
import { hostKeyLines, keys, knownHostsFrom, knownHostsText, pool, testbed } from './testbed.js'

const [vm1, vm2] = testbed.hosts as [(typeof testbed.hosts)[number], (typeof testbed.hosts)[number]]
const fingerprintsOf = (address: string) => hostKeyLines(address).map((l) => fingerprint(Buffer.from(l.split(' ')[2]!, 'base64')))
const pools: SshPool[] = []
/** A loopback port nothing listens on (bound, then closed). */
const closedLoopbackPort = async (): Promise<number> => {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
const track = (p: SshPool) => (pools.push(p), p)
afterAll(async () => {
  await Promise.all(pools.map((p) => p.closeAll()))
})

describe('strict host keys', () => {
  it('connects to every host whose key is in known_hosts', async () => {
    const p = track(pool())
    for (const h of testbed.hosts) {
      const host = await p.host(h.address, h.name)
      const r = await host.exec(['hostname'])
      expect(r).toMatchObject({ code: 0, stdout: `${h.name}\n` })
    }
  })

  it('refuses an unknown host key, naming the host, the fingerprint seen and the fix', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kh-')), 'known_hosts')
    writeFileSync(file, `${hostKeyLines(vm2.address).join('\n')}\n`)
    const p = track(pool({ knownHosts: file }))
    const err = await p.host(vm1.address, 'vm1').then(() => undefined, (e: Error) => e)
    expect(err?.message.startsWith(`vm1 (root@10.213.77.11): host key is unknown: known_hosts file ${file} has no entry for 10.213.77.11.`)).toBe(true)
    const seen = /presented \S+ (SHA256:\S+)\./.exec(err!.message)?.[1]
    expect(fingerprintsOf(vm1.address)).toContain(seen)
    const command = /pin it: `([^`]+)`/.exec(err!.message)?.[1]
    expect(command).toBe(`cutover known-hosts 10.213.77.11 >> ${file}`)
    // Run as printed (with the bundled CLI as `cutover`), it pins vm1: the next connection is trusted.
    execFileSync('sh', ['-c', command!.replace(/^cutover /, `${shellJoin([process.execPath, CLI])} `)], { stdio: 'ignore', timeout: 60_000 })
    const pinned = track(pool({ knownHosts: file }))
    await expect(pinned.host(vm1.address, 'vm1').then((h) => h.exec(['hostname']))).resolves.toMatchObject({ stdout: 'vm1\n' })
  })

  it('from known_hosts text (the Action\'s input), says to add the printed lines to that input', async () => {
    const p = track(pool({ knownHosts: knownHostsFrom(hostKeyLines(vm2.address).join('\n'), 'the known-hosts input') }))
    const err = await p.host(vm1.address, 'vm1').then(() => undefined, (e: Error) => e)
    expect(err?.message).toContain('pin it: add the lines `cutover known-hosts 10.213.77.11` prints to the known-hosts input.')
  })

  it('refuses a changed host key (an entry whose key is wrong)', async () => {
    // vm1's address pinned to vm2's keys: exactly what a man in the middle would look like.
    const wrong = hostKeyLines(vm2.address).map((l) => l.replace(vm2.address, vm1.address)).join('\n')
    const p = track(pool({ knownHosts: knownHostsFrom(wrong, 'kh') }))
    const err = await p.host(vm1.address, 'vm1').then(() => undefined, (e: Error) => e)
    expect(err?.message).toMatch(/^vm1 \(root@10\.213\.77\.11\): HOST KEY MISMATCH, refusing to connect/)
    const seen = /presented \S+ (SHA256:\S+),/.exec(err!.message)?.[1]
    expect(fingerprintsOf(vm1.address)).toContain(seen)
    for (const f of fingerprintsOf(vm2.address)) expect(err?.message).toContain(f)
  })

  it('refuses when the server has no key of the pinned type, and still shows what it offers', async () => {
    const blob = Buffer.concat(['ecdsa-sha2-nistp384', 'nistp384', Buffer.alloc(97, 4)].map((s) => {
      const b = Buffer.from(s)
      const len = Buffer.alloc(4)
      len.writeUInt32BE(b.length)
      return Buffer.concat([len, b])
    }))
    const p = track(pool({ knownHosts: knownHostsFrom(`${vm1.address} ecdsa-sha2-nistp384 ${blob.toString('base64')}`, 'kh') }))
    const err = await p.host(vm1.address, 'vm1').then(() => undefined, (e: Error) => e)
    expect(err?.message).toMatch(/HOST KEY MISMATCH/)
    expect(fingerprintsOf(vm1.address)).toContain(/presented \S+ (SHA256:\S+),/.exec(err!.message)?.[1])
  })

  it('accepts hashed known_hosts entries as written by ssh-keygen -H', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-'))
    const file = join(dir, 'known_hosts')
    writeFileSync(file, knownHostsText)
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' })
    const p = track(pool({ knownHosts: file }))
    return expect(p.host(vm2.address).then((h) => h.exec(['hostname']))).resolves.toMatchObject({ stdout: 'vm2\n' })
  })

  it('refuses a key the server does not accept, saying which keys were tried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-'))
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
    const p = track(pool({ keys: loadKeys({ paths: [join(dir, 'id')] }) }))
    const err = await p.host(vm1.address, 'vm1').then(() => undefined, (e: Error) => e)
    expect(err?.message).toMatch(/^vm1 \(root@10\.213\.77\.11\): the server refused every key offered \(.*\/id \(ssh-ed25519 SHA256:/)
  })

  it('scans hosts into the same known_hosts lines as the keys on the hosts', async () => {
    const scans = await scanKnownHosts(testbed.hosts.map((h) => h.address))
    expect(scans.map((s) => s.host)).toEqual(testbed.hosts.map((h) => h.address))
    for (const [i, h] of testbed.hosts.entries()) expect([...(scans[i] as { lines: string[] }).lines].sort()).toEqual(hostKeyLines(h.address).sort())
  })

  it('a host that cannot be scanned is named, and costs no other host its lines', async () => {
    const closed = await closedLoopbackPort()
    const scans = await scanKnownHosts([vm1.address, `127.0.0.1:${closed}`, vm2.address])
    expect(scans[1]).toEqual({ host: `127.0.0.1:${closed}`, error: expect.objectContaining({ message: `127.0.0.1:${closed}: cannot scan: nothing accepts connections on port ${closed} (is sshd running? is the port right?)` }) })
    expect([...(scans[0] as { lines: string[] }).lines].sort()).toEqual(hostKeyLines(vm1.address).sort())
    expect([...(scans[2] as { lines: string[] }).lines].sort()).toEqual(hostKeyLines(vm2.address).sort())
  })

  it('`cutover known-hosts` prints every reachable host\'s lines, names the unreachable one on stderr, and exits 1', async () => {
    const closed = await closedLoopbackPort()
    const r = await cutover(['known-hosts', vm1.address, `127.0.0.1:${closed}`], { cwd: tmpdir(), env: {}, timeoutMs: 60_000 })
    expect(r.code).toBe(1)
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(hostKeyLines(vm1.address).sort())
    expect(r.stderr).toBe(`cutover known-hosts: 127.0.0.1:${closed}: cannot scan: nothing accepts connections on port ${closed} (is sshd running? is the port right?)\n`)
  })
})

describe('the jump host path (ssh.proxy)', () => {
  it('reaches vm2 through vm1', async () => {
    const p = track(pool({ proxy: `root@${vm1.address}` }))
    const host = await p.host(vm2.address, 'vm2')
    const r = await host.exec(['sh', '-c', 'hostname; echo "$SSH_CONNECTION"'])
    const [name, conn] = r.stdout.trim().split('\n')
    expect(name).toBe('vm2')
    // The SSH client of vm2's sshd is vm1: the connection came through the tunnel.
    expect(conn?.split(' ')[0]).toBe(vm1.address)
  })

  it('works for a single connect() too, and close() ends it', async () => {
    const host = await connect(vm2.address, { name: 'vm2', keys, knownHosts: testbed.ssh.knownHostsPath, proxy: `${vm1.address}:22` })
    expect((await host.exec(['hostname'])).stdout).toBe('vm2\n')
    await host.close()
    await expect(host.exec(['hostname'])).rejects.toThrow(/^vm2: cannot run `hostname`: the SSH connection is closed$/)
  })

  it('checks the jump host key strictly too', async () => {
    const onlyVm2 = knownHostsFrom(hostKeyLines(vm2.address).join('\n'), 'kh')
    const p = track(pool({ proxy: vm1.address, knownHosts: onlyVm2 }))
    await expect(p.host(vm2.address, 'vm2')).rejects.toThrow(/^jump host 10\.213\.77\.11 \(root@10\.213\.77\.11\): host key is unknown/)
  })
})

describe('commands and files', () => {
  it('runs every command on one reused connection per host', async () => {
    const p = track(pool())
    const a = await p.host(vm1.address)
    const b = await p.host(vm1.address)
    expect(a).toBe(b)
    const ports = await Promise.all([1, 2, 3].map(() => a.exec(['sh', '-c', 'echo "$SSH_CONNECTION"']).then((r) => r.stdout.split(' ')[1])))
    expect(new Set(ports).size).toBe(1)
  })

  it('passes hostile argv and stdin through byte for byte', async () => {
    const host = await track(pool()).host(vm1.address)
    const hostile = ["it's", '$(touch /tmp/pwned)', '`id`', 'a\nb', ' lead', 'ünï😀', ';ls', '&&', '-n']
    const r = await host.exec(['printf', '%s\\0', ...hostile])
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(hostile)
    expect((await host.exec(['test', '-e', '/tmp/pwned'])).code).toBe(1)
    expect((await host.exec(['cat'], { stdin: 'line 1\n$(x)\n' })).stdout).toBe('line 1\n$(x)\n')
  })

  it('reports exit codes and stops a command at its timeout', async () => {
    const host = await track(pool()).host(vm1.address)
    expect(await host.exec(['sh', '-c', 'echo oops >&2; exit 3'])).toEqual({ code: 3, stdout: '', stderr: 'oops\n' })
    await expect(host.exec(['sleep', '30'], { timeoutMs: 500 })).rejects.toThrow(/^10\.213\.77\.11: `sleep 30` did not finish within 500ms and was stopped/)
    expect((await host.exec(['true'])).code).toBe(0)
  })

  it('kills a timed-out command on the host, with its children', async () => {
    const host = await track(pool()).host(vm1.address)
    const marker = `/tmp/timeout-test-${process.pid}`
    await expect(host.exec(['sh', '-c', `echo $$ > ${marker}; sleep 31; echo late >> ${marker}`], { timeoutMs: 1_000 })).rejects.toThrow(/did not finish within 1s/)
    const r = await host.exec(['sh', '-c', `kill -0 "$(cat ${marker})" 2>/dev/null && echo alive; pgrep -x -f 'sleep 31' || true; cat ${marker}; rm -f ${marker}`])
    expect(r.stdout).toMatch(/^\d+\n$/)
  })

  it('uploads private files: the mode asked for, replacing a wider one, no leftovers', async () => {
    const host = await track(pool()).host(vm2.address)
    const dir = `/root/upload-test-${process.pid}`
    await host.exec(['mkdir', '-p', dir])
    await host.exec(['sh', '-c', `echo old > ${dir}/app.env && chmod 644 ${dir}/app.env`])
    await host.upload('SECRET=1\n', `${dir}/app.env`, 0o600)
    await host.upload(Buffer.from('x'), `${dir}/new/sub/file`, 0o640)
    const r = await host.exec(['sh', '-c', `stat -c '%a %n' ${dir}/app.env ${dir}/new ${dir}/new/sub/file; cat ${dir}/app.env; ls -A ${dir} ${dir}/new/sub`])
    expect(r.stdout).toBe(`600 ${dir}/app.env\n700 ${dir}/new\n640 ${dir}/new/sub/file\nSECRET=1\n${dir}:\napp.env\nnew\n\n${dir}/new/sub:\nfile\n`)
    await host.exec(['rm', '-rf', dir])
  })

  it('loads keys from key data as well as from files', async () => {
    const { readFileSync } = await import('node:fs')
    const fromData = loadKeys({ data: [readFileSync(testbed.ssh.keyPath, 'utf8')] })
    expect(fromData[0]?.label).toMatch(/^ssh.key_data\[0\] \(ssh-ed25519 SHA256:/)
    const host = await track(pool({ keys: fromData })).host(vm1.address)
    expect((await host.exec(['true'])).code).toBe(0)
    expect(keys[0]?.label).toContain(testbed.ssh.keyPath)
  })
})
