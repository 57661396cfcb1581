import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { RemoteError } from '../../../src/remote/errors.js'
import { scanKnownHosts } from '../../../src/remote/scan.js'

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('scanKnownHosts', () => {
  it('scans each host on its own: every failure names its host, in the order given', async () => {
    const [a, b] = [await closedPort(), await closedPort()]
    const scans = await scanKnownHosts([`127.0.0.1:${a}`, 'bad host', `127.0.0.1:${b}`], 5_000)
    expect(scans.map((s) => s.host)).toEqual([`127.0.0.1:${a}`, 'bad host', `127.0.0.1:${b}`])
    for (const s of scans) expect('error' in s && s.error).toBeInstanceOf(RemoteError)
    const messages = scans.map((s) => ('error' in s ? s.error.message : ''))
    expect(messages[0]).toBe(`127.0.0.1:${a}: cannot scan: nothing accepts connections on port ${a} (is sshd running? is the port right?)`)
    expect(messages[1]).toMatch(/^host "bad host" is not \[user@\]host\[:port\]/)
    expect(messages[2]).toBe(`127.0.0.1:${b}: cannot scan: nothing accepts connections on port ${b} (is sshd running? is the port right?)`)
  })
})
