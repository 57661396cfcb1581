/**
 * The secret env file Docker reads with `--env-file`. Docker's reader (docker/cli opts) is
 * line-based and takes values literally: no quotes, no escapes. Kamal writes each value escaped
 * (its EnvFile: ASCII runs as Ruby's String#dump writes them, minus the surrounding quotes, then
 * `\"` and `\#` turned back into `"` and `#`; non-ASCII text as is). We write the same bytes, so
 * a container started by either tool sees the same value: a newline in a secret reaches the app as
 * the two characters `\n`, exactly as under Kamal, and every value fits on one line.
 *
 * Still refused: text that is not valid Unicode (Docker rejects invalid UTF-8; Node would silently
 * replace a lone surrogate), a line of 64 KiB or more (Docker's line scanner gives up), and keys
 * that are empty, contain `=` or whitespace, or start with `#` (a comment line).
 *
 * Keys are written in code-point order, so the file (and the settings digest over it) does not
 * depend on the order the config listed them in.
 */

export class EnvError extends Error {
  override name = 'EnvError'
  constructor(
    /** Where in the desired state, e.g. `env.secret.DB_URL`. Never the value. */
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`)
  }
}

const MAX_LINE_BYTES = 64 * 1024 - 1

/** True unless `s` holds a lone surrogate (with the u flag, a valid pair is one code point). */
export const isWellFormed = (s: string): boolean => !/[\uD800-\uDFFF]/u.test(s)

/** Problems with an env key for any env (clear or secret), or null. */
export function envKeyProblem(key: string): string | null {
  if (key === '') return 'an env key is empty'
  if (key.includes('=')) return 'an env key cannot contain "="'
  if (/\s/.test(key)) return 'an env key cannot contain whitespace'
  if (key.includes('\0')) return 'an env key cannot contain a NUL byte'
  if (!isWellFormed(key)) return 'an env key is not valid Unicode (lone surrogate)'
  return null
}

/** Problems with a value passed as `--env K=V` (argv carries anything but NUL). */
export function clearValueProblem(value: string): string | null {
  if (value.includes('\0')) return 'the value contains a NUL byte, which no environment variable can hold'
  if (!isWellFormed(value)) return 'the value is not valid Unicode (lone surrogate)'
  return null
}

/** Problems with a value written to an env file, or null. Never quotes the value. */
export function envFileValueProblem(key: string, value: string): string | null {
  if (!isWellFormed(value)) return 'the value is not valid Unicode (lone surrogate)'
  const bytes = Buffer.byteLength(`${key}=${escapeEnvFileValue(value)}`)
  if (bytes > MAX_LINE_BYTES) return `the line is ${bytes} bytes (escaped); Docker env files read at most ${MAX_LINE_BYTES}`
  return null
}

// Ruby's String#dump names these control characters by letter; the others become \xHH.
const NAMED: Record<string, string> = { '\n': 'n', '\r': 'r', '\t': 't', '\f': 'f', '\v': 'v', '\b': 'b', '\x07': 'a', '\x1b': 'e' }

/**
 * A value as Kamal writes it into an env file (see the file comment): ASCII escaped the way
 * String#dump does (`\` doubled, control characters as `\n`, `\t`, `\xHH`…, `#` before `{`, `$`
 * or `@` as `\#`), then every `\"` and `\#` turned back into `"` and `#` (scanning left to right,
 * as Ruby's gsub does, so `\` + `#` comes out as a single `\#`: Kamal's bytes, quirk included).
 */
export function escapeEnvFileValue(value: string): string {
  let dumped = ''
  const chars = [...value]
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0)!
    if (code > 0x7f) dumped += ch
    else if (ch === '"' || ch === '\\') dumped += `\\${ch}`
    else if (NAMED[ch]) dumped += `\\${NAMED[ch]}`
    else if (code < 0x20 || code === 0x7f) dumped += `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
    else if (ch === '#' && ['{', '$', '@'].includes(chars[i + 1] ?? '')) dumped += '\\#'
    else dumped += ch
  })
  return dumped.replace(/\\"/g, '"').replace(/\\#/g, '#')
}

/**
 * Render `vars` as an env file. Throws EnvError naming the first bad key (under `pathPrefix`).
 */
export function renderEnvFile(vars: Readonly<Record<string, string>>, pathPrefix = 'env.secret'): string {
  const keys = Object.keys(vars).sort(byCodePoint)
  for (const key of keys) {
    const problem = envKeyProblem(key) ?? (key.startsWith('#') ? 'an env-file key cannot start with "#" (Docker reads the line as a comment)' : null) ?? envFileValueProblem(key, vars[key] ?? '')
    if (problem) throw new EnvError(`${pathPrefix}.${key}`, problem)
  }
  return keys.map((key) => `${key}=${escapeEnvFileValue(vars[key] ?? '')}\n`).join('')
}

export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
