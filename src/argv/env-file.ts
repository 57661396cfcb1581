/**
 * The secret env file Docker reads with `--env-file`. Docker's reader (docker/cli opts) is
 * line-based and takes values literally: no quotes, no escapes, no multi-line values. So we write
 * `KEY=value\n` with the value's bytes untouched, and refuse what that format cannot carry,
 * instead of writing something the container would see differently:
 *
 * - a newline in a value (it would end the line): refused, naming the key. Store such a secret
 *   encoded (e.g. base64) and decode it in the app. (Kamal escapes it to a literal `\n`, which the
 *   container then sees as two characters.)
 * - a carriage return at the end of a value (Docker drops a `\r` before the newline);
 * - NUL (no environment can hold it), and text that is not valid Unicode (Docker rejects
 *   invalid UTF-8; Node would silently replace a lone surrogate);
 * - a line of 64 KiB or more (Docker's line scanner gives up);
 * - keys that are empty, contain `=` or whitespace, or start with `#` (a comment line).
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
  const clear = clearValueProblem(value)
  if (clear) return clear
  if (value.includes('\n')) {
    return 'the value contains a newline, which Docker env files cannot carry; store it encoded (e.g. base64) and decode it in the app'
  }
  if (value.endsWith('\r')) return 'the value ends with a carriage return, which Docker env files drop'
  if (Buffer.byteLength(`${key}=${value}`) > MAX_LINE_BYTES) return `the line is ${Buffer.byteLength(`${key}=${value}`)} bytes; Docker env files read at most ${MAX_LINE_BYTES}`
  return null
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
  return keys.map((key) => `${key}=${vars[key]}\n`).join('')
}

export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
