import net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openConnection } from '../../../src/remote/connection.js'
import { parseKnownHosts } from '../../../src/remote/known-hosts.js'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('openConnection', () => {
  // Nagle's algorithm plus the server's delayed ACK stalled nearly every SSH round trip by about
  // 40 ms (connect + one command: 306 ms with it, 60 ms without, on the testbed; see the comment
  // in connection.ts). What a unit test can check without timing: the socket asks for TCP_NODELAY.
  it('turns Nagle off on the socket it dials', async () => {
    const calls: boolean[] = []
    vi.spyOn(net.Socket.prototype, 'setNoDelay').mockImplementation(function (this: net.Socket, noDelay?: boolean) {
      calls.push(noDelay ?? true)
      return this
    })
    // A port where nothing listens: the dial fails, after the socket was made and configured.
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const opened = openConnection({ name: 'h', user: 'u', host: '127.0.0.1', port }, { keys: [], knownHosts: parseKnownHosts('', 'kh'), connectTimeoutMs: 5_000, keepaliveIntervalMs: 30_000 })
    await expect(opened).rejects.toThrow(/nothing accepts connections on port/)
    expect(calls).toContain(true)
  })
})
