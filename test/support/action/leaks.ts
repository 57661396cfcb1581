import { expect } from 'vitest'
import { maskValues } from '../../../src/action/mask.js'
import type { JournalEntry } from './in-process.js'

const MASK = '::add-mask::'
/** How @actions/core escapes a command's data on the wire. */
const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

/**
 * For each secret (and each line of a multi-line one, as the runner masks line by line):
 * - its `::add-mask::` line was printed before the value was first printed or used anywhere;
 * - no line other than the mask itself carries it (the runner would star it out, but the
 *   Action must not rely on that), and no output, summary or state file does.
 */
export function expectMaskedBeforeUse(journal: readonly JournalEntry[], files: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    for (const v of maskValues(secret)) {
      const maskAt = journal.findIndex((e) => e.kind === 'out' && e.text === `${MASK}${escapeData(v)}`)
      const firstUse = journal.findIndex((e) => e.text.includes(v) && !(e.kind === 'out' && e.text.startsWith(MASK)))
      expect(maskAt, `no ::add-mask:: for a secret starting ${JSON.stringify(v.slice(0, 6))}`).toBeGreaterThanOrEqual(0)
      if (firstUse !== -1) expect(maskAt, `secret starting ${JSON.stringify(v.slice(0, 6))} used before its mask`).toBeLessThan(firstUse)
      const printed = journal.filter((e) => e.kind === 'out' && !e.text.startsWith(MASK) && e.text.includes(v))
      expect(printed.map((e) => e.text)).toEqual([])
      expect(files.includes(v), `a secret starting ${JSON.stringify(v.slice(0, 6))} is in an output, summary or state file`).toBe(false)
    }
  }
}
