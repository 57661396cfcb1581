import { createHash, createHmac } from 'node:crypto'

/**
 * known_hosts, as OpenSSH writes it: `[@marker] patterns keytype base64-key [comment]`.
 * Patterns are a comma list of `host`, `[host]:port`, wildcards (`*`, `?`), negations (`!pat`)
 * or one hashed `|1|salt|hash` entry. Pure: parsing, matching and fingerprints only.
 */
export interface KnownHostEntry {
  line: number
  marker?: 'revoked' | 'cert-authority'
  patterns: string
  keyType: string
  key: Buffer
}

export interface KnownHosts {
  /** Where the entries came from, for error messages ("known_hosts file ./kh", "the known-hosts input"). */
  source: string
  /** The file they were read from, when there is one: where a hint may tell the user to append. */
  path?: string
  entries: KnownHostEntry[]
}

/** Host key algorithms we let a server offer for each key type pinned in known_hosts. */
const algorithmsForKeyType: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-dss': ['ssh-dss'],
}

export function parseKnownHosts(text: string, source: string, path?: string): KnownHosts {
  const entries: KnownHostEntry[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/)
    if (fields[0] === '' || fields[0]?.startsWith('#')) return
    let marker: KnownHostEntry['marker']
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift()!.slice(1) as KnownHostEntry['marker']
    const [patterns, keyType, b64] = fields
    // A line we cannot read is skipped, as ssh does; it can never vouch for a key.
    if (!patterns || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return
    entries.push({ line: i + 1, ...(marker ? { marker } : {}), patterns, keyType, key: Buffer.from(b64, 'base64') })
  })
  return { source, ...(path !== undefined ? { path } : {}), entries }
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` elsewhere. */
export const knownHostsName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`)

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i')

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|')
  if (magic !== '1' || !salt || !hash) return false
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
}

/** Whether a line's pattern list names `host` on `port`. */
export function patternsMatch(patterns: string, host: string, port: number): boolean {
  const name = knownHostsName(host, port)
  if (patterns.startsWith('|')) return hashedMatches(patterns, name)
  let matched = false
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!')
    if (!globToRegExp(negated ? p.slice(1) : p).test(name)) continue
    if (negated) return false
    matched = true
  }
  return matched
}

export interface HostPins {
  /** Keys pinned for the host (plain lines whose key type we support). */
  keys: KnownHostEntry[]
  /** Keys explicitly revoked for the host. */
  revoked: KnownHostEntry[]
}

export function pinsFor(known: KnownHosts, host: string, port: number): HostPins {
  const mine = known.entries.filter((e) => patternsMatch(e.patterns, host, port))
  return {
    keys: mine.filter((e) => !e.marker && e.keyType in algorithmsForKeyType),
    revoked: mine.filter((e) => e.marker === 'revoked'),
  }
}

/** The host key algorithms to negotiate, so that the server presents a key we can check. */
export const hostKeyAlgorithms = (pins: HostPins): string[] => [...new Set(pins.keys.flatMap((e) => algorithmsForKeyType[e.keyType] ?? []))]

/** OpenSSH's fingerprint of a public key blob: `SHA256:` and unpadded base64 of its SHA-256. */
export const fingerprint = (key: Buffer): string => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`

/** The key type written inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown'
  const n = key.readUInt32BE(0)
  return n > 0 && n < 64 && key.length >= 4 + n ? key.subarray(4, 4 + n).toString('latin1') : 'unknown'
}

export type HostKeyVerdict =
  | { kind: 'trusted'; entry: KnownHostEntry }
  | { kind: 'unknown' }
  | { kind: 'changed'; pinned: KnownHostEntry[] }
  | { kind: 'revoked'; entry: KnownHostEntry }

/** Judges the key a server presented against what known_hosts pins for it. */
export function judgeHostKey(pins: HostPins, presented: Buffer): HostKeyVerdict {
  const revoked = pins.revoked.find((e) => e.key.equals(presented))
  if (revoked) return { kind: 'revoked', entry: revoked }
  const entry = pins.keys.find((e) => e.key.equals(presented))
  if (entry) return { kind: 'trusted', entry }
  return pins.keys.length === 0 ? { kind: 'unknown' } : { kind: 'changed', pinned: pins.keys }
}

/** A known_hosts line for a host's key, as `cutover known-hosts` prints it. */
export const knownHostsLine = (host: string, port: number, key: Buffer): string => `${knownHostsName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}`
