import { Client, type ServerHostKeyAlgorithm } from 'ssh2'
import { connectProblem, RemoteError } from './errors.js'
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

/** One host's scan: its known_hosts lines, or why it could not be scanned (the message names it). */
export type HostScan = { host: string; lines: string[] } | { host: string; error: RemoteError }

/**
 * `cutover known-hosts HOST…`: the known_hosts lines for every key each host presents.
 * Hosts are `host`, `host:port` or `[v6]:port`. Each host is scanned on its own, all in parallel
 * (key types one after another): a host that cannot be reached loses its own lines, never the
 * others'. Results come in the order the hosts were given.
 */
export function scanKnownHosts(hosts: readonly string[], timeoutMs = 10_000): Promise<HostScan[]> {
  return Promise.all(
    hosts.map(async (text): Promise<HostScan> => {
      try {
        return { host: text, lines: await scanHost(text, timeoutMs) }
      } catch (e) {
        return { host: text, error: e instanceof RemoteError ? e : new RemoteError(`${text}: cannot scan: ${e instanceof Error ? e.message : String(e)}`) }
      }
    }),
  )
}

async function scanHost(text: string, timeoutMs: number): Promise<string[]> {
  const { host, port = 22 } = parseTarget(text)
  const lines: string[] = []
  for (const algorithm of scanAlgorithms) {
    const key = await probeHostKey(host, port, timeoutMs, algorithm).catch((err: Error & { code?: string }) => {
      throw new RemoteError(`${text}: cannot scan: ${connectProblem({ host, port }, err, timeoutMs)}`)
    })
    if (key) lines.push(knownHostsLine(host, port, key))
  }
  if (lines.length === 0) throw new RemoteError(`${text}: presented no host key of a type cutover can pin (${scanAlgorithms.join(', ')})`)
  return lines
}
