import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { EnvError, renderEnvFile } from '../../../src/argv/env-file.js'

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

describe('renderEnvFile', () => {
  it('writes KEY=value lines in code-point order, values untouched', () => {
    expect(renderEnvFile({ b: 'x', A: `it's "q" $(id) \`id\` \\n ${'ü😀'}`, a: ' lead and trail ', EMPTY: '' })).toBe(
      `A=it's "q" $(id) \`id\` \\n ü😀\nEMPTY=\na= lead and trail \nb=x\n`,
    )
  })

  it('an empty env is an empty file', () => {
    expect(renderEnvFile({})).toBe('')
  })

  it.each([
    ['a newline', { KEY: `a\n${SENTINEL}` }, 'env.secret.KEY', /newline.*base64/],
    ['a trailing CR', { KEY: `${SENTINEL}\r` }, 'env.secret.KEY', /carriage return/],
    ['NUL', { KEY: `a\0${SENTINEL}` }, 'env.secret.KEY', /NUL/],
    ['a lone surrogate', { KEY: `${SENTINEL}\uD800` }, 'env.secret.KEY', /Unicode/],
    ['a 64 KiB line', { KEY: SENTINEL + 'x'.repeat(65536) }, 'env.secret.KEY', /bytes/],
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

  it('a carriage return inside a value is kept', () => {
    expect(parseEnvFile(renderEnvFile({ K: 'a\rb' }))).toEqual({ K: 'a\rb' })
  })

  it('round-trips every value it accepts through a Docker-style reader (property)', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)
    const value = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((v) => !v.includes('\n') && !v.endsWith('\r') && !v.includes('\0'))
    fc.assert(
      fc.property(fc.dictionary(key, value), (vars) => {
        expect(parseEnvFile(renderEnvFile(vars))).toEqual(vars)
      }),
      { numRuns: 300 },
    )
  })
})
