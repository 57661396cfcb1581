import { createHmac } from 'node:crypto'
import type { RunSpec } from '../argv/docker.js'
import type { ProxyRoute } from '../argv/proxy.js'
import { canonicalJson } from './digest.js'

/**
 * What a container was deployed with, in a form people can diff: stored on each container as two
 * labels, so the next run (and `--dry-run`) can say what changes (plan/diff.ts).
 *
 * - `cutover.settings`: the NON-secret settings as one flat JSON map (`image`, `env.clear.POOL`,
 *   `volumes`, `proxy.healthcheck.path`, …). Clear env is not secret in Kamal's model (it is on
 *   the `docker run` command line and in `docker inspect` already).
 * - `cutover.secrets`: each secret env NAME → HMAC-SHA256(host key, value), 16 hex. A plain hash
 *   of a short secret (a PIN, a port-like token) is reversed by trying every value; a keyed hash
 *   is not, as long as the key stays on the host: it is a random 32-byte key in the host's run
 *   directory, mode 0600 (`.kamal/cutover/settings.key`, the same protection as the env files,
 *   which hold the secrets themselves). Labels are readable by anyone who can `docker inspect`.
 */
export { LABEL_SECRETS, LABEL_SETTINGS, SETTINGS_KEY_PATH } from '../argv/names.js'
import { LABEL_SECRETS, LABEL_SETTINGS } from '../argv/names.js'

export type Flat = Record<string, string>

export interface Settings {
  /** `repository:tag@sha256:…`; `@unbuilt:<commit>` before the image exists (a dry run). */
  image: string
  values: Flat
  /** NAME → keyed hash; null when the host has no key yet (nothing to compare with). */
  secrets: Flat
}

/** The flat non-secret map of a run spec and route (our own labels left out: they follow from these). */
export function flatSettings(imageId: string, spec: RunSpec, route: ProxyRoute | null): Flat {
  const out: Flat = { image: `${spec.image}@${imageId}` }
  const put = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return
    if (Array.isArray(value)) {
      if (value.length) out[key] = value.join(' ')
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) put(`${key}.${k}`, v)
    } else out[key] = String(value)
  }
  const { name: _name, image: _image, networkAliases: _aliases, envFile: _envFile, ...rest } = spec
  // KAMAL_VERSION and KAMAL_CONTAINER_NAME follow from the version, which the image line already shows.
  const { KAMAL_VERSION: _v, KAMAL_CONTAINER_NAME: _n, ...env } = rest.env
  put('env.clear', env)
  put('labels', rest.labels)
  put('volumes', rest.volumes)
  put('restart', rest.restart)
  put('network', rest.network)
  put('logging', rest.logging)
  put('options', rest.options)
  put('cmd', rest.cmd)
  if (route) put('proxy', route)
  return out
}

/** 16 hex of HMAC-SHA256 under the host's key: enough to tell "changed", useless without the key. */
export const secretHash = (key: string, name: string, value: string): string => createHmac('sha256', key).update(`${name}\0${value}`).digest('hex').slice(0, 16)

export function secretHashes(key: string, secrets: Readonly<Record<string, string>>): Flat {
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, secretHash(key, name, value)]))
}

/** The two labels. */
export const settingsLabels = (values: Flat, secrets: Flat): Record<string, string> => ({ [LABEL_SETTINGS]: canonicalJson(values), [LABEL_SECRETS]: canonicalJson(secrets) })

/** A label back to a flat map; null when absent or not ours (a Kamal container, an older cutover). */
export function readFlat(label: string | null | undefined): Flat | null {
  if (!label) return null
  try {
    const v = JSON.parse(label) as unknown
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x === 'string')) as Flat
  } catch {
    return null
  }
}
