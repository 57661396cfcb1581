import { Client, type ServerHostKeyAlgorithm } from 'ssh2'
import { knownHostsLine } from './known-hosts.js'
import { parseTarget } from './target.js'

/** One algorithm per key type a server may hold; ssh-rsa keys are asked for with rsa-sha2-512. */
const scanAlgorithms = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512'] as const

/**
 * The host key a server presents for `algorithm` (any, when not given), or undefined when it has
 * none of that type. Connects, reads the key during the handshake, and hangs up before
 * authenticating: nothing is trusted here, this is for printing and for error messages.
 */
export function probeHostKey(host: string, port: number, timeoutMs: number, algorithm?: string): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const client = new Client()
    let key: Buffer | undefined
    const done = () => {
      client.end()
      resolve(key)
    }
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (key || /no matching host key/i.test(err.message)) return done()
      client.end()
      reject(err)
    })
    client.once('close', done)
    client.connect({
      host,
      port,
      username: 'cutover-known-hosts',
      readyTimeout: timeoutMs,
      ...(algorithm ? { algorithms: { serverHostKey: [algorithm as ServerHostKeyAlgorithm] } } : {}),
      hostVerifier: (k: Buffer) => {
        key = k
        return false
      },
    })
  })
}

/**
 * `cutover known-hosts HOST…`: the known_hosts lines for every key each host presents.
 * Hosts are `host` or `host:port`. Hosts are scanned in parallel, key types one after another.
 */
export async function scanKnownHosts(hosts: readonly string[], timeoutMs = 10_000): Promise<string[]> {
  const perHost = await Promise.all(
    hosts.map(async (text) => {
      const { host, port = 22 } = parseTarget(text)
      const lines: string[] = []
      for (const algorithm of scanAlgorithms) {
        const key = await probeHostKey(host, port, timeoutMs, algorithm)
        if (key) lines.push(knownHostsLine(host, port, key))
      }
      return lines
    }),
  )
  return perHost.flat()
}
