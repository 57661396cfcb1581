import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { shellJoin, shellQuote } from '../../../src/argv/shell-join.js'

// Round-trip through a real POSIX shell: whatever we quote must come back byte for byte.
const echoBack = (words: string[]): string[] => {
  const script = `for a in ${words.map(shellQuote).join(' ')}; do printf '%s\\0' "$a"; done`
  const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' })
  return out.split('\0').slice(0, -1)
}

describe('shellQuote', () => {
  it.each([
    ['plain', 'plain'],
    ['a b', `'a b'`],
    ["it's", `'it'\\''s'`],
    ['', `''`],
    ['$(id)', `'$(id)'`],
  ])('%j quotes as %s', (input, expected) => {
    expect(shellQuote(input)).toBe(expected)
  })

  it('keeps hostile words literal through sh', () => {
    const hostile = ["'", '"', '$(touch /tmp/pwned)', '`id`', 'a\nb', ' lead', 'ünï😀', '\\', '*', '~', '#x', ';ls', '&&', '-n']
    expect(echoBack(hostile)).toEqual(hostile)
  })

  it('round-trips arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 0, maxLength: 20 }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 5 }), (words) => {
        expect(echoBack(words)).toEqual(words)
      }),
      { numRuns: 100 },
    )
  })

  it('refuses an empty argv', () => {
    expect(() => shellJoin([])).toThrow(/empty argv/)
  })
})
