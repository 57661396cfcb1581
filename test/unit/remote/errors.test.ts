import { describe, expect, it } from 'vitest'
import { authError, changedHostKeyError, connectError, describe as where, revokedHostKeyError, unknownHostKeyError } from '../../../src/remote/errors.js'
import { parseKnownHosts } from '../../../src/remote/known-hosts.js'

const b64 = 'AAAAC3NzaC1lZDI1NTE5AAAAILe22jDJ89nRp7g4+gRZp5xYq68qZF6lGolJzdk0/j2k'
const key = Buffer.from(b64, 'base64')
const fp = 'SHA256:9SC0Qo28rBSiVGsdDGk56sedKbuCRwVOng9kRBzNu78'
const other = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIDoi+fwEGbSLUmVpqDbepRt4WgDfm/9H/9QSCDrMe7hm', 'base64')
const vm1 = { name: 'vm1', user: 'root', host: '10.0.0.5', port: 22 }
const vm2 = { name: 'vm2', user: 'deploy', host: '10.0.0.6', port: 2222 }

describe('where', () => {
  it.each([
    [vm1, 'vm1 (root@10.0.0.5)'],
    [vm2, 'vm2 (deploy@10.0.0.6:2222)'],
    [{ ...vm1, name: '10.0.0.5' }, 'root@10.0.0.5'],
  ])('%j → %s', (endpoint, text) => {
    expect(where(endpoint)).toBe(text)
  })
})

describe('host key errors say what, where, the fingerprint seen and the fix', () => {
  it('unknown, pinned from a file: the fix appends to that file', () => {
    expect(unknownHostKeyError(vm2, { source: 'known_hosts file ./kh', path: './kh' }, key).message).toBe(
      'vm2 (deploy@10.0.0.6:2222): host key is unknown: known_hosts file ./kh has no entry for [10.0.0.6]:2222. ' +
        `The server presented ssh-ed25519 ${fp}. ` +
        "If that is the server's real key (check on the server: `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), " +
        'pin it: `cutover known-hosts 10.0.0.6:2222 >> ./kh`.',
    )
  })

  it('unknown, pinned from text (no file): the fix adds the printed lines to that input', () => {
    expect(unknownHostKeyError(vm1, { source: 'the known-hosts input' }, key).message).toContain(
      'pin it: add the lines `cutover known-hosts 10.0.0.5` prints to the known-hosts input.',
    )
  })

  it('quotes a path the shell would split', () => {
    expect(unknownHostKeyError(vm1, { source: 'known_hosts file /tmp/my keys', path: '/tmp/my keys' }, key).message).toContain(
      "pin it: `cutover known-hosts 10.0.0.5 >> '/tmp/my keys'`.",
    )
  })

  it.each([
    [{ ...vm1, host: '2001:db8::1', port: 2222 }, "`cutover known-hosts '[2001:db8::1]:2222' >> kh`", 'vm1 (root@[2001:db8::1]:2222)'],
    [{ ...vm1, host: '2001:db8::1' }, '`cutover known-hosts 2001:db8::1 >> kh`', 'vm1 (root@2001:db8::1)'],
  ])('brackets an IPv6 host with a port (%j)', (endpoint, hint, where) => {
    const message = unknownHostKeyError(endpoint, { source: 'known_hosts file kh', path: 'kh' }, key).message
    expect(message).toContain(hint)
    expect(message.startsWith(`${where}: `)).toBe(true)
  })

  it('changed', () => {
    const pinned = parseKnownHosts(`\n10.0.0.5 ssh-ed25519 ${other.toString('base64')}`, 'kh').entries
    const message = changedHostKeyError(vm1, 'known_hosts file ./kh', key, pinned).message
    expect(message).toMatch(/^vm1 \(root@10\.0\.0\.5\): HOST KEY MISMATCH, refusing to connect: /)
    expect(message).toContain(`the server presented ssh-ed25519 ${fp}, but known_hosts file ./kh pins line 2: ssh-ed25519 SHA256:`)
    expect(message).toContain('replace those lines with the output of `cutover known-hosts 10.0.0.5`')
  })

  it('changed, when the server offers no key of a pinned type', () => {
    const pinned = parseKnownHosts(`10.0.0.5 ssh-ed25519 ${other.toString('base64')}`, 'kh').entries
    expect(changedHostKeyError(vm1, 'kh', undefined, pinned).message).toContain('the server offers no key of a type pinned there, but kh pins line 1')
  })

  it('revoked', () => {
    const [entry] = parseKnownHosts(`@revoked 10.0.0.5 ssh-ed25519 ${b64}`, 'kh').entries
    expect(revokedHostKeyError(vm1, 'kh', entry!).message).toBe(
      `vm1 (root@10.0.0.5): the server presented ssh-ed25519 ${fp}, which kh marks @revoked (line 1); refusing to connect. ` +
        'The server must get a new host key; then pin it with `cutover known-hosts 10.0.0.5`.',
    )
  })
})

describe('connection errors', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'nothing accepts connections on port 22 (is sshd running? is the port right?)'],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }, 'the name 10.0.0.5 does not resolve'],
    [{ code: 'EHOSTUNREACH', message: 'x' }, '10.0.0.5 is unreachable from here'],
    [{ message: 'Timed out while waiting for handshake' }, 'no SSH handshake within 30s (a firewall, a wrong address, or an overloaded host)'],
    [{ message: 'something else' }, 'something else'],
  ])('%j', (err, why) => {
    expect(connectError(vm1, Object.assign(new Error(err.message), err), 30_000).message).toBe(`vm1 (root@10.0.0.5): cannot connect: ${why}`)
  })

  it('auth failure lists the keys tried (labels, never key material)', () => {
    expect(authError(vm2, ['~/.ssh/id (ssh-ed25519 SHA256:x)']).message).toBe(
      'vm2 (deploy@10.0.0.6:2222): the server refused every key offered (~/.ssh/id (ssh-ed25519 SHA256:x)). ' +
        'Check ssh.user (deploy) and that one of these keys\' public halves is in ~deploy/.ssh/authorized_keys on 10.0.0.6.',
    )
  })
})
