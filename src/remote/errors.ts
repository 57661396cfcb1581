import { shellJoin, shellQuote } from '../argv/shell-join.js'
import { fingerprint, keyTypeOf, knownHostsName, type KnownHostEntry, type KnownHosts } from './known-hosts.js'

/** Where we connect, as errors name it: `vm1 (root@10.0.0.5:22)`. */
export interface SshEndpoint {
  name: string
  user: string
  host: string
  port: number
}

/** `host`, `host:port`, or `[v6]:port`: what `cutover known-hosts` (parseTarget) reads back. */
export const scanTarget = (host: string, port: number): string => (port === 22 ? host : host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

export const describe = (e: SshEndpoint): string => {
  const where = `${e.user}@${scanTarget(e.host, e.port)}`
  return e.name === e.host ? where : `${e.name} (${where})`
}

/** Every failure of `remote/` that a user can act on: the message says what, where and the fix. */
export class RemoteError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RemoteError'
  }
}

/** The command that prints the host's known_hosts lines, quoted to paste into a shell. */
const scanHint = (e: SshEndpoint): string => shellJoin(['cutover', 'known-hosts', scanTarget(e.host, e.port)])
const seen = (key: Buffer): string => `${keyTypeOf(key)} ${fingerprint(key)}`
/** Where OpenSSH keeps a host key of that type on the server. */
const hostKeyFile = (key: Buffer): string => {
  const type = keyTypeOf(key)
  const short = type.startsWith('ecdsa-') ? 'ecdsa' : type.replace(/^ssh-/, '').replace('dss', 'dsa')
  return `/etc/ssh/ssh_host_${short}_key.pub`
}

/** `known`: where the pins came from; with a file path, the fix appends to that file. */
export function unknownHostKeyError(e: SshEndpoint, known: Pick<KnownHosts, 'source' | 'path'>, presented: Buffer): RemoteError {
  const pin = known.path !== undefined ? `pin it: \`${scanHint(e)} >> ${shellQuote(known.path)}\`` : `pin it: add the lines \`${scanHint(e)}\` prints to ${known.source}`
  return new RemoteError(
    `${describe(e)}: host key is unknown: ${known.source} has no entry for ${knownHostsName(e.host, e.port)}. ` +
      `The server presented ${seen(presented)}. ` +
      `If that is the server's real key (check on the server: \`ssh-keygen -lf ${hostKeyFile(presented)}\`), ${pin}.`,
  )
}

export function changedHostKeyError(e: SshEndpoint, source: string, presented: Buffer | undefined, pinned: KnownHostEntry[]): RemoteError {
  const pins = pinned.map((p) => `line ${p.line}: ${p.keyType} ${fingerprint(p.key)}`).join('; ')
  const got = presented ? `presented ${seen(presented)}` : `offers no key of a type pinned there`
  return new RemoteError(
    `${describe(e)}: HOST KEY MISMATCH, refusing to connect: the server ${got}, but ${source} pins ${pins}. ` +
      `Someone may be intercepting the connection, or the server was reinstalled. ` +
      `If the change is expected, confirm the new fingerprint on the server, then replace those lines with the output of \`${scanHint(e)}\`.`,
  )
}

export function revokedHostKeyError(e: SshEndpoint, source: string, entry: KnownHostEntry): RemoteError {
  return new RemoteError(
    `${describe(e)}: the server presented ${seen(entry.key)}, which ${source} marks @revoked (line ${entry.line}); refusing to connect. ` +
      `The server must get a new host key; then pin it with \`${scanHint(e)}\`.`,
  )
}

export function authError(e: SshEndpoint, keyLabels: string[]): RemoteError {
  return new RemoteError(
    `${describe(e)}: the server refused every key offered (${keyLabels.join(', ') || 'none given'}). ` +
      `Check ssh.user (${e.user}) and that one of these keys' public halves is in ~${e.user}/.ssh/authorized_keys on ${e.host}.`,
  )
}

/** A socket-level failure as what to check (no host prefix: the caller names the host its way). */
export function connectProblem(e: Pick<SshEndpoint, 'host' | 'port'>, err: Error & { code?: string }, timeoutMs: number): string {
  const code = err.code ?? ''
  return code === 'ECONNREFUSED' ? `nothing accepts connections on port ${e.port} (is sshd running? is the port right?)`
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `the name ${e.host} does not resolve`
    : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? `${e.host} is unreachable from here`
    : /timed out/i.test(err.message) || code === 'ETIMEDOUT' ? `no SSH handshake within ${Math.round(timeoutMs / 1000)}s (a firewall, a wrong address, or an overloaded host)`
    : err.message
}

/** Turns a socket-level failure into a sentence that says what to check. */
export function connectError(e: SshEndpoint, err: Error & { code?: string; level?: string }, timeoutMs: number): RemoteError {
  return new RemoteError(`${describe(e)}: cannot connect: ${connectProblem(e, err, timeoutMs)}`)
}
