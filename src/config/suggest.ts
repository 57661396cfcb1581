/** Edit distance (insert, delete, substitute, and swap of neighbours, which is the commonest typo). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!
      const prev = d[i - 1]!
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The known key closest to `key`, if it is close enough to be a plausible typo. Case, `-` versus `_`
 * and word order inside the key count as near misses (`appPort`, `app-port`, `port_app`).
 */
export function closest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '')
  const words = (s: string): string => s.split(/[-_\s]|(?<=[a-z])(?=[A-Z])/).map((w) => w.toLowerCase()).sort().join('_')
  let best: { key: string; score: number } | undefined
  for (const k of known) {
    if (norm(k) === norm(key) || words(k) === words(key)) return k
    const score = editDistance(key.toLowerCase(), k.toLowerCase())
    if (!best || score < best.score) best = { key: k, score }
  }
  if (!best) return undefined
  // Allow about one typo per three characters, so short keys don't "match" anything.
  return best.score <= Math.max(1, Math.floor(key.length / 3)) ? best.key : undefined
}
