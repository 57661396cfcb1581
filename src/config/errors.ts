/**
 * Config problems as data. Every error names the file and the key path (Kamal's `servers/web/hosts`
 * style) and, when the YAML node is known, the 1-based line, so the Action can put an annotation on
 * the bad key. The message says what is wrong; `expected` says what would be right (the fix).
 */
export interface ConfigError {
  file: string
  /** Slash-separated, e.g. `servers/web/hosts/0`; '' when the problem is the file itself. */
  keyPath: string
  line?: number
  message: string
  expected: string
}

/** A Kamal key cutover accepts but does not act on (yet), or a deprecated form that still works. */
export interface ConfigWarning {
  file: string
  keyPath: string
  line?: number
  message: string
}

const where = (p: { file: string; line?: number | undefined; keyPath: string }): string =>
  `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.keyPath ? `${p.keyPath}: ` : ''}`

/**
 * `FILE[:LINE]: key/path: what is wrong; expected what would be right`. The line sits with the file, the way
 * compilers print it, so editors and terminals can jump to it.
 */
export function renderError(e: ConfigError): string {
  return `${where(e)}${e.message}${e.expected ? `; expected ${e.expected}` : ''}`
}

export function renderWarning(w: ConfigWarning): string {
  return `${where(w)}${w.message}`
}

/** Thrown by the `*OrThrow` helpers; carries every error, not just the first. */
export class ConfigErrors extends Error {
  readonly errors: readonly ConfigError[]
  constructor(errors: readonly ConfigError[]) {
    super(errors.map(renderError).join('\n'))
    this.name = 'ConfigErrors'
    this.errors = errors
  }
}

/** Stable order for output and tests: by file, then line, then key path. */
export function sortProblems<T extends { file: string; line?: number | undefined; keyPath: string }>(list: readonly T[]): T[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      a.keyPath.localeCompare(b.keyPath),
  )
}

/** How a value looks, for messages. Never shows the value itself: config strings can be passwords. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'empty'
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list'
  if (value instanceof Date) return 'a date'
  if (typeof value === 'object') return 'a map'
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string'
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a decimal number'
  if (typeof value === 'boolean') return `the boolean ${value}`
  return `a ${typeof value}`
}
