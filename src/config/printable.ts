import { REDACTED } from '../secrets/redact.js'
import type { DeployConfig } from './types.js'

const isSecretRef = (v: unknown): v is { secret: string } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { secret?: unknown }).secret === 'string'

const isSecretEnvList = (v: unknown): v is { name: string; secret: string }[] =>
  Array.isArray(v) && v.every((e) => typeof e === 'object' && e !== null && typeof e.name === 'string' && typeof e.secret === 'string')

/**
 * The resolved config as `cutover config` shows it: secret references become
 * `[redacted] (secret NAME)` and secret env lists become `NAME: [redacted] (secret SOURCE)`.
 * The config holds no secret values in the first place; this makes that visible to the reader.
 */
export function toPrintable(config: DeployConfig): unknown {
  const walk = (value: unknown, key?: string): unknown => {
    if (isSecretRef(value)) return `${REDACTED} (secret ${value.secret})`
    if (key === 'secret' && isSecretEnvList(value)) return Object.fromEntries(value.map((e) => [e.name, `${REDACTED} (secret ${e.secret})`]))
    if (Array.isArray(value)) return value.map((v) => walk(v))
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]))
    return value
  }
  return walk(config)
}
