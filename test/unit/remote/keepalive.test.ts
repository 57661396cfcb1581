/**
 * A silently dropped connection (packets dropped, no FIN or RST) must fail the command on it,
 * naming the host, instead of hanging. A real ssh2 server in-process behind a TCP relay; the relay
 * "drops" the link by no longer forwarding anything in either direction (the sockets stay open,
 * exactly what a firewall DROP or a frozen host looks like from the client).
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Server, utils, type ParsedKey } from 'ssh2'
import { KEEPALIVE } from '../../../src/remote/connection.js'
import { parsePrivateKey } from '../../../src/remote/keys.js'
import { parseKnownHosts } from '../../../src/remote/known-hosts.js'
import { SshPool } from '../../../src/remote/pool.js'

const hostKey = utils.generateKeyPairSync('ed25519')
const clientKey = utils.generateKeyPairSync('ed25519')

const closers: (() => void)[] = []
afterEach(() => {
  while (closers.length) closers.pop()!()
})

/** An ssh2 server whose `exec` never finishes (a long health check), behind a relay that can go silent. */
async function silentlyDroppableServer(): Promise<{ port: number; drop: () => void; execStarted: Promise<void> }> {
  let started!: () => void
  const execStarted = new Promise<void>((r) => (started = r))
  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept())
    client.on('ready', () => client.on('session', (accept) => accept().on('exec', (acceptExec) => {
      acceptExec()
      started()
    })))
    client.on('error', () => undefined)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const sshPort = (server.address() as net.AddressInfo).port
  let dropped = false
  const sockets: net.Socket[] = []
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(sshPort, '127.0.0.1')
    sockets.push(inbound, outbound)
    inbound.on('data', (b) => dropped || outbound.write(b))
    outbound.on('data', (b) => dropped || inbound.write(b))
    inbound.on('error', () => undefined)
    outbound.on('error', () => undefined)
  })
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
  closers.push(() => {
    for (const s of sockets) s.destroy()
    relay.close()
    server.close()
  })
  return { port: (relay.address() as net.AddressInfo).port, drop: () => void (dropped = true), execStarted }
}

describe('SSH keepalives', () => {
  it('a command in flight on a silently dropped connection fails naming the host, within (countMax + 1) intervals', async () => {
    const { port, drop, execStarted } = await silentlyDroppableServer()
    const pub = utils.parseKey(hostKey.public) as ParsedKey
    const knownHosts = parseKnownHosts(`[127.0.0.1]:${port} ${pub.type} ${pub.getPublicSSH().toString('base64')}`, 'test')
    const pool = new SshPool({ keys: [parsePrivateKey('test key', clientKey.private)], knownHosts, port, keepaliveIntervalMs: 200, keepaliveCountMax: 2 })
    closers.push(() => void pool.closeAll())
    const host = await pool.host('127.0.0.1', 'vm-dropped')
    const running = host.exec(['sleep', '600'])
    await execStarted
    // Let the server's "exec accepted" reach the client through the relay before the link goes silent.
    await new Promise((r) => setTimeout(r, 100))
    const started = Date.now()
    drop()
    await expect(running).rejects.toThrow(/^vm-dropped: `sleep 600` ended without an exit status \(the SSH connection was lost: the host stopped answering SSH keepalives/)
    const took = Date.now() - started
    expect(took).toBeLessThan(200 * (2 + 1) + 1_500)
  }, 20_000)

  it('the defaults detect a dead peer well under 30 s', () => {
    expect(KEEPALIVE.intervalMs * (KEEPALIVE.countMax + 1)).toBeLessThanOrEqual(20_000)
  })
})
