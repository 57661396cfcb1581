/**
 * Required-check patterns. Check names are free text ("CI / test (node 20, ubuntu)"), not
 * paths, so `*` must match across `/` too; path-glob libraries treat `/` as a separator,
 * hence this small matcher. Only `*` (any run) and `?` (one character) are special.
 */
export function isPattern(p: string): boolean {
  return /[*?]/.test(p)
}

export function patternToRegExp(p: string): RegExp {
  const body = [...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')
  return new RegExp(`^${body}$`, 's')
}

export function matchesPattern(name: string, pattern: string): boolean {
  return isPattern(pattern) ? patternToRegExp(pattern).test(name) : name === pattern
}
