import { resolve } from 'node:path'
import { renderEnvFile } from '../argv/env-file.js'
import { renderErb } from '../config/erb.js'
import type { AccessoryConfig } from '../config/index.js'
import type { Secrets } from '../secrets/index.js'

/** One `files:` entry, read and ready to upload. */
export interface PreparedFile {
  /** As written in the config, for messages. */
  local: string
  container: string
  content: string
  /** 0o600 or 0o644: see fileMode. */
  mode: number
  rendered: boolean
}

export interface PreparedAccessory {
  files: PreparedFile[]
  /** The secret env file's text (0600 on the host); empty when the accessory has no secrets. */
  envFile: string
  warnings: string[]
}

export class AccessoryFileError extends Error {
  override name = 'AccessoryFileError'
}

/**
 * The mode an uploaded file gets. Kamal uploads `files:` world-readable (755); cutover makes a
 * file 0600 when it may hold secret material: every file rendered from an `.erb` template (its
 * values come from the environment, which is where CI keeps secrets) and every file that contains
 * the value of a secret the config resolved. Other files are 0644, so an image whose process runs
 * as a non-root user can still read its plain config file through the bind mount.
 */
export function fileMode(rendered: boolean, content: string, secretValues: readonly string[]): 0o600 | 0o644 {
  if (rendered) return 0o600
  return secretValues.some((v) => v.length >= 4 && content.includes(v)) ? 0o600 : 0o644
}

/**
 * Reads the accessory's local files (relative to the app's directory), renders the `.erb` ones
 * with the config's ERB subset (config/erb.ts: ENV lookups and string literals, the accessory's
 * clear env over the environment, as Kamal loads it for these templates), and writes its secret
 * env file. Anything else in a template is refused, naming the file and line.
 */
export function prepareAccessory(
  a: AccessoryConfig,
  secrets: Pick<Secrets, 'envValues' | 'values'>,
  opts: { cwd: string; env: Readonly<Record<string, string | undefined>>; readFile: (absolutePath: string) => string | undefined },
): PreparedAccessory {
  const warnings: string[] = []
  const values = secrets.values()
  const files = a.files.map((f, i): PreparedFile => {
    const where = `accessories/${a.name}/files/${i}`
    const text = opts.readFile(resolve(opts.cwd, f.local))
    if (text === undefined) throw new AccessoryFileError(`${where}: the local file ${f.local} does not exist (paths are relative to ${opts.cwd})`)
    if (!f.local.endsWith('.erb')) return { local: f.local, container: f.container, content: text, mode: fileMode(false, text, values), rendered: false }
    const r = renderErb(f.local, text, { ...opts.env, ...a.env.clear })
    if (r.errors.length > 0) {
      const first = r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('; ')
      throw new AccessoryFileError(`${where}: cannot render the template ${f.local}: ${first}. Expected ${r.errors[0]!.expected}`)
    }
    warnings.push(...r.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`))
    return { local: f.local, container: f.container, content: r.text, mode: fileMode(true, r.text, values), rendered: true }
  })
  const envFile = renderEnvFile(secrets.envValues(a.env.secret), `accessories.${a.name}.env.secret`)
  return { files, envFile, warnings }
}
