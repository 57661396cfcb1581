import type { Duplex } from 'node:stream'
import { Client, type AgentAuthMethod, type AuthMethod, type ConnectConfig, type PublicKeyAuthMethod, type ServerHostKeyAlgorithm } from 'ssh2'
import { authError, changedHostKeyError, connectError, revokedHostKeyError, unknownHostKeyError, type SshEndpoint, RemoteError } from './errors.js'
import { hostKeyAlgorithms, judgeHostKey, pinsFor, type KnownHosts } from './known-hosts.js'
import type { PrivateKey } from './keys.js'
import { probeHostKey } from './scan.js'

export interface OpenOptions {
  keys: readonly PrivateKey[]
  knownHosts: KnownHosts
  connectTimeoutMs: number
  keepaliveIntervalMs: number
  /** A stream already connected to the server (a jump host's channel, a ProxyCommand's stdio). */
  sock?: Duplex
  /** The ssh-agent socket (SSH_AUTH_SOCK) whose keys are offered after the keys above. */
  agent?: string
  /** Said when the connection fails before the handshake (a ProxyCommand's stderr). */
  viaDetail?: () => string
}

/** The keys first (in order), then the agent's; ssh2 tries each until the server accepts one. */
function authMethods(username: string, options: OpenOptions): AuthMethod[] {
  const methods: (PublicKeyAuthMethod | AgentAuthMethod)[] = options.keys.map((k) => ({ type: 'publickey', username, key: k.key }))
  if (options.agent) methods.push({ type: 'agent', username, agent: options.agent })
  return methods
}

/**
 * Opens one SSH connection whose host key is checked against known_hosts. Resolves only once
 * the key is trusted and a key was accepted; every failure is a RemoteError naming the host.
 */
export function openConnection(endpoint: SshEndpoint, options: OpenOptions): Promise<Client> {
  const pins = pinsFor(options.knownHosts, endpoint.host, endpoint.port)
  const algorithms = hostKeyAlgorithms(pins)
  let rejection: RemoteError | undefined
  let presented: Buffer | undefined

  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: options.connectTimeoutMs,
    keepaliveInterval: options.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    // Only the key types pinned for this host: the server must present one we can check, and
    // cannot pick a type we have no pin for (OpenSSH's ssh does the same).
    ...(algorithms.length ? { algorithms: { serverHostKey: algorithms as ServerHostKeyAlgorithm[] } } : {}),
    hostVerifier: (key: Buffer) => {
      presented = key
      const verdict = judgeHostKey(pins, key)
      if (verdict.kind === 'trusted') return true
      rejection =
        verdict.kind === 'unknown' ? unknownHostKeyError(endpoint, options.knownHosts, key)
        : verdict.kind === 'revoked' ? revokedHostKeyError(endpoint, options.knownHosts.source, verdict.entry)
        : changedHostKeyError(endpoint, options.knownHosts.source, key, verdict.pinned)
      return false
    },
    authHandler: authMethods(endpoint.user, options),
    ...(options.sock ? { sock: options.sock } : {}),
  }

  return new Promise((resolve, reject) => {
    const client = new Client()
    let settled = false
    let probing = false
    const fail = (err: Error) => {
      if (settled) return
      settled = true
      client.end()
      reject(err)
    }
    client.once('ready', () => {
      settled = true
      resolve(client)
    })
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (probing) return // the first error decided; the socket's own errors that follow do not
      if (rejection) return fail(rejection)
      if (err.level === 'client-authentication') return fail(authError(endpoint, [...options.keys.map((k) => k.label), ...(options.agent ? [`the keys of the ssh-agent at ${options.agent}`] : [])]))
      if (/no matching host key/i.test(err.message) && pins.keys.length && !presented) {
        // The server holds no key of a pinned type. Ask it, without restriction, which key it
        // does present, so the error shows the fingerprint (not possible through a jump host,
        // whose forwarded channel is spent).
        const mismatch = (key?: Buffer) => fail(changedHostKeyError(endpoint, options.knownHosts.source, key, pins.keys))
        if (options.sock) return mismatch()
        probing = true
        probeHostKey(endpoint.host, endpoint.port, options.connectTimeoutMs).then(mismatch, () => mismatch())
        return
      }
      fail(connectError(endpoint, err, options.connectTimeoutMs))
    })
    client.once('close', () => {
      if (probing) return
      const said = options.viaDetail?.()
      fail(new RemoteError(`${endpoint.name}: the connection closed during the SSH handshake${said ? ` (the proxy command said: ${said})` : ''}`))
    })
    client.connect(config)
    // TCP_NODELAY. ssh2 leaves Nagle's algorithm on, and it often writes a message as more than
    // one segment (or two messages back to back, as NEWKEYS and the userauth request): the second
    // write then waits for the server's delayed ACK, about 40 ms, on nearly every round trip of
    // the handshake, the login and each command. Measured on the testbed: connect + `exec true`
    // took 306 ms with it, 60 ms without. (A jump host's channel is not a socket: no-op there.)
    client.setNoDelay(true)
  })
}
