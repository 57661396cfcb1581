/** One challenge from a `WWW-Authenticate` header (RFC 7235), e.g. Bearer with realm/service/scope. */
export interface Challenge {
  scheme: string
  params: Record<string, string>
}

// A scheme token, or an auth-param `key=value` / `key="quoted, value"`.
const TOKEN = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?\s*,?/y

/**
 * Parses every challenge in the header. Quoted values may hold commas (a scope such as
 * "repository:a:pull,push"), so a plain split on ',' would be wrong. Scheme names are
 * lowercased; parameter names too, since they are case-insensitive.
 */
export function parseWwwAuthenticate(header: string | undefined): Challenge[] {
  if (!header) return []
  const challenges: Challenge[] = []
  TOKEN.lastIndex = 0
  let match: RegExpExecArray | null
  while (TOKEN.lastIndex < header.length && (match = TOKEN.exec(header)) !== null) {
    const [, name = '', quoted, bare] = match
    if (quoted === undefined && bare === undefined) {
      challenges.push({ scheme: name.toLowerCase(), params: {} })
      continue
    }
    const current = challenges[challenges.length - 1]
    if (current === undefined) break // a parameter before any scheme: not a header we understand
    current.params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '')
  }
  return challenges
}
