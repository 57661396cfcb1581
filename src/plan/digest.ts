import { createHash } from 'node:crypto'
import type { RunSpec } from '../argv/docker.js'
import type { ProxyRoute } from '../argv/proxy.js'

/**
 * The settings digest: sha256 over a canonical JSON of everything that shapes a container and
 * its route. It is stored on the container as a label; a running, routed container whose label
 * equals the desired digest means "nothing to do".
 *
 * Covered: the image's content id, and the run spec the container is created from (image ref,
 * name, clear env including KAMAL_*, labels, volumes, logging, restart policy, options, cmd,
 * network), the secret env file's exact contents, and the route (hosts, paths, TLS, health check,
 * buffering, timeouts, headers, app port). Not covered: per-run values (hostname, audit, lock),
 * the deploy/drain/stop timeouts (they shape how we switch, not what runs), retain, and our own
 * version/digest labels and network alias (derived from this).
 *
 * Canonical JSON: object keys sorted by code point at every depth, arrays kept in order (volume
 * and cmd order matter), `undefined` dropped. So the digest does not depend on key order.
 */

export const DIGEST_FORMAT = 1

export interface DigestInput {
  imageId: string
  /** The run spec before our own labels and aliases are added. */
  container: RunSpec
  /** The secret env file, byte for byte (so a changed secret redeploys). */
  envFile: string
  route: ProxyRoute | null
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`canonicalJson: ${value} has no JSON form`)
    return JSON.stringify(value) ?? 'null'
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/** 64 lowercase hex chars. */
export function settingsDigest(input: DigestInput): string {
  return createHash('sha256')
    .update(canonicalJson({ format: DIGEST_FORMAT, ...input }))
    .digest('hex')
}
