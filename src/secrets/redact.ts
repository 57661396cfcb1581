import { secretForms } from './forms.js'

export const REDACTED = '[redacted]'

/**
 * Replaces every occurrence of every secret value, in each form it can take in output (raw,
 * JSON-escaped, URL-encoded, hex, base64 and base64url, base64 inside a longer stream at each
 * alignment, and each line of a multi-line value: see forms.ts), with `[redacted]`, longest
 * first and in one pass, so a replacement is never itself rewritten. Values shorter than
 * MIN_SECRET_LENGTH are left alone (forms.ts says why that is safe).
 */
export function redact(text: string, values: Iterable<string>): string {
  const needles = new Set<string>()
  for (const v of values) for (const form of secretForms(v)) needles.add(form)
  if (needles.size === 0) return text
  const pattern = [...needles].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')
  return text.replace(new RegExp(pattern, 'g'), REDACTED)
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
