import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { EnvError, escapeEnvFileValue, renderEnvFile } from '../../../src/argv/env-file.js'

const SENTINEL = 'S3NT1NEL'

/**
 * The oracle: an env file read the way Docker's CLI reads `--env-file` (docker/cli opts): a BOM
 * dropped, one variable per line, a trailing CR dropped, leading space trimmed, comments and
 * blank lines skipped, and the value taken literally after the first `=`.
 */
function parseEnvFile(content: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = content.replace(/^\uFEFF/, '').split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '')
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq < 0) continue // Docker would take it from the client's environment; renderEnvFile never writes this
    out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

// Kamal's EnvFile bytes for a value, as its own tests and String#dump give them (one row per rule).
const KAMAL_ESCAPES: [string, string, string][] = [
  ['plain text', 'bar', 'bar'],
  ['a newline becomes \\n', 'hello\nthere', 'hello\\nthere'],
  ['a literal backslash-n gets its backslash doubled', 'hello\\nthere', 'hello\\\\nthere'],
  ['double quotes stay as they are', `say "hi"`, `say "hi"`],
  ['single quotes, $(…), backticks stay', `it's $(id) \`id\` \${X}`, `it's $(id) \`id\` \${X}`],
  ['non-ASCII text stays as is', '你好 "欢迎" 😃 {smile}', '你好 "欢迎" 😃 {smile}'],
  ['tab, CR, form feed, vertical tab, backspace, bell, escape by name', '\t\r\f\v\b\x07\x1b', '\\t\\r\\f\\v\\b\\a\\e'],
  ['other control characters and DEL as \\xHH (upper case)', '\x00\x01\x1f\x7f', '\\x00\\x01\\x1F\\x7F'],
  ['# before {, $ or @ stays # (dump escapes it, Kamal unescapes it)', '#{x} #$y #@z #w', '#{x} #$y #@z #w'],
  ['a backslash before a quote: the backslash doubled, the quote kept', 'a\\"b', 'a\\\\"b'],
  ["a backslash before # comes out single (Kamal's gsub eats the dump's escape)", 'a\\#b', 'a\\#b'],
  ['a trailing CR is escaped, so Docker cannot drop it', 'x\r', 'x\\r'],
  ['a multi-line PEM key is one line', '-----BEGIN KEY-----\nab\ncd\n-----END KEY-----\n', '-----BEGIN KEY-----\\nab\\ncd\\n-----END KEY-----\\n'],
  ['empty', '', ''],
]

describe('escapeEnvFileValue: the bytes Kamal writes', () => {
  it.each(KAMAL_ESCAPES)('%s', (_, value, written) => {
    expect(escapeEnvFileValue(value)).toBe(written)
    expect(renderEnvFile({ K: value })).toBe(`K=${written}\n`)
  })
})

describe('renderEnvFile', () => {
  it('writes KEY=value lines in code-point order, values escaped as Kamal does', () => {
    expect(renderEnvFile({ b: 'x', A: `it's "q" $(id) \`id\` \\n ${'ü😀'}`, a: ' lead and trail ', EMPTY: '' })).toBe(
      `A=it's "q" $(id) \`id\` \\\\n ü😀\nEMPTY=\na= lead and trail \nb=x\n`,
    )
  })

  it('an empty env is an empty file', () => {
    expect(renderEnvFile({})).toBe('')
  })

  it.each([
    ['a lone surrogate', { KEY: `${SENTINEL}\uD800` }, 'env.secret.KEY', /Unicode/],
    ['a 64 KiB line', { KEY: SENTINEL + 'x'.repeat(65536) }, 'env.secret.KEY', /bytes/],
    ['a line that escaping makes 64 KiB', { KEY: SENTINEL + '\n'.repeat(33000) }, 'env.secret.KEY', /bytes \(escaped\)/],
    ['a key with =', { 'A=B': SENTINEL }, 'env.secret.A=B', /"="/],
    ['a key with a space', { 'A B': SENTINEL }, 'env.secret.A B', /whitespace/],
    ['an empty key', { '': SENTINEL }, 'env.secret.', /empty/],
    ['a comment key', { '#A': SENTINEL }, 'env.secret.#A', /comment/],
  ])('refuses %s, naming the key and never the value', (_, vars, path, problem) => {
    let error: unknown
    try {
      renderEnvFile(vars)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(EnvError)
    expect((error as EnvError).path).toBe(path)
    expect((error as EnvError).message).toMatch(problem)
    expect((error as EnvError).message).not.toContain(SENTINEL)
  })

  it('every value is one line: Docker reads back exactly the escaped value, and no value can add a variable (property)', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)
    const value = fc.string({ unit: 'grapheme', maxLength: 40 })
    fc.assert(
      fc.property(fc.dictionary(key, value), (vars) => {
        const file = renderEnvFile(vars)
        expect(file.split('\n').length - 1).toBe(Object.keys(vars).length)
        expect(parseEnvFile(file)).toEqual(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, escapeEnvFileValue(v)])))
      }),
      { numRuns: 300 },
    )
  })

  it('values without backslashes, quotes-only escapes or control characters are written untouched (property)', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)
    const value = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((v) => !/[\x00-\x1f\x7f\\]/.test(v))
    fc.assert(
      fc.property(fc.dictionary(key, value), (vars) => {
        expect(parseEnvFile(renderEnvFile(vars))).toEqual(vars)
      }),
      { numRuns: 300 },
    )
  })
})
