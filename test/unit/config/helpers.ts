import { realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { relative } from 'node:path'
import { type LoadOptions, type LoadResult, loadConfig } from '../../../src/config/index.js'

// Commands in secrets files run here, so it must exist; files themselves come from memory.
export const CWD = realpathSync(tmpdir())

/** Sentinel secret values: tests assert they never show up where they must not. */
export const REGISTRY_PASSWORD = 'sentinel-registry-Pa55'
export const ENV = { KAMAL_REGISTRY_PASSWORD: REGISTRY_PASSWORD }

/** Loads from in-memory files (paths relative to the project), with a controlled environment. */
export function loadFrom(files: Record<string, string>, opts: Partial<LoadOptions> = {}): LoadResult {
  return loadConfig({ cwd: CWD, env: ENV, readFile: (p) => files[relative(CWD, p)], ...opts })
}

const BASE: [string, string][] = [
  ['service', 'service: my-app'],
  ['image', 'image: my-user/my-app'],
  ['servers', 'servers:\n  - 192.168.0.1'],
  ['registry', 'registry:\n  server: ghcr.io\n  username: my-user\n  password:\n    - KAMAL_REGISTRY_PASSWORD'],
]

/**
 * A valid minimal config with `extra` YAML appended; a top-level key in `extra` replaces the base
 * block of that key, and `omit` drops base blocks.
 */
export function cfg(extra = '', omit: string[] = []): string {
  const replaced = new Set([...extra.matchAll(/^([A-Za-z_][\w-]*):/gm)].map((m) => m[1]!))
  const base = BASE.filter(([k]) => !replaced.has(k) && !omit.includes(k)).map(([, v]) => v)
  return `${[...base, extra.trim()].filter(Boolean).join('\n')}\n`
}

export function errorsOf(r: LoadResult) {
  if (r.ok) throw new Error(`expected errors, the config loaded (warnings: ${JSON.stringify(r.warnings)})`)
  return r.errors
}

export function okOf(r: LoadResult) {
  if (!r.ok) throw new Error(`expected the config to load, got:\n${r.errors.map((e) => `${e.file}:${e.line ?? ''}: ${e.keyPath}: ${e.message}; ${e.expected}`).join('\n')}`)
  return r
}
