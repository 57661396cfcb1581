export const REDACTED = '[redacted]'

// Lines of a multi-line secret (a PEM key) are redacted one by one too, because logs and container
// output often carry them line by line; very short lines would redact ordinary text, so they don't count.
const MIN_LINE = 8

/**
 * Replaces every occurrence of every secret value in `text` with `[redacted]`, longest first and
 * in one pass, so a replacement is never itself rewritten. Every non-empty value counts, even a
 * short one: a mangled log line is better than a leaked secret.
 */
export function redact(text: string, values: Iterable<string>): string {
  const needles = new Set<string>()
  for (const v of values) {
    if (!v) continue
    needles.add(v)
    if (/[\r\n]/.test(v)) {
      for (const line of v.split(/\r?\n/)) if (line.trim().length >= MIN_LINE) needles.add(line.trim())
    }
  }
  if (needles.size === 0) return text
  const pattern = [...needles].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')
  return text.replace(new RegExp(pattern, 'g'), REDACTED)
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
