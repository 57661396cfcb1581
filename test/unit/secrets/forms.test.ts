/**
 * Redaction of a secret's derived forms, checked from the outside: a random secret is encoded the
 * way an app or a tool would print it (with random text around it), the output is redacted, and
 * then the check DECODES what is left and looks for the secret there. The encoders and decoders
 * below are written independently of forms.ts, so a form forms.ts forgot is a failure here.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maskValues } from '../../../src/action/mask.js'
import { MIN_SECRET_LENGTH, REDACTED, redact, secretForms, shortSecretsWarning } from '../../../src/secrets/index.js'

const secret = fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 40, unit: 'binary' }).filter((s) => s.trim().length >= MIN_SECRET_LENGTH)
const noise = fc.string({ maxLength: 12 })
const bytes = fc.uint8Array({ maxLength: 7 }).map((a) => Buffer.from(a))

const contains = (hay: Buffer, needle: Buffer): boolean => hay.indexOf(needle) !== -1
/** Every way to read base64 out of the text left after redaction: each chunk, at each of the 4 character alignments. */
function base64Readings(text: string): Buffer[] {
  const out: Buffer[] = []
  for (const chunk of text.split(REDACTED)) {
    const std = chunk.replace(/-/g, '+').replace(/_/g, '/')
    for (let skip = 0; skip < 4; skip++) out.push(Buffer.from(std.slice(skip), 'base64'))
  }
  return out
}
const hexReadings = (text: string): Buffer[] =>
  text.split(REDACTED).flatMap((chunk) => [0, 1].map((skip) => Buffer.from(chunk.slice(skip).replace(/[^0-9a-fA-F]/g, ''), 'hex')))
const tryDecodeUri = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

describe('redaction of derived forms (property)', () => {
  const forms: [string, (s: string, before: string, after: string) => string, (out: string, s: string) => boolean][] = [
    ['raw', (s, a, b) => `${a}${s}${b}`, (out, s) => out.includes(s)],
    ['JSON-escaped', (s, a, b) => JSON.stringify({ log: `${a}${s}${b}` }), (out, s) => (JSON.parse(out) as { log: string }).log.includes(s)],
    ['URL-encoded', (s, a, b) => `https://x.test/?q=${encodeURIComponent(`${a}${s}${b}`)}`, (out, s) => tryDecodeUri(out).includes(s)],
    ['URL-encoded, lower-case escapes', (s, a, b) => encodeURIComponent(`${a}${s}${b}`).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), (out, s) => tryDecodeUri(out).includes(s)],
    ['form-encoded', (s, a, b) => new URLSearchParams({ v: `${a}${s}${b}` }).toString(), (out, s) => (new URLSearchParams(out).get('v') ?? '').includes(s)],
    ['hex', (s, a, b) => Buffer.from(`${a}${s}${b}`).toString('hex'), (out, s) => hexReadings(out).some((r) => contains(r, Buffer.from(s)))],
    ['HEX', (s, a, b) => Buffer.from(`${a}${s}${b}`).toString('hex').toUpperCase(), (out, s) => hexReadings(out).some((r) => contains(r, Buffer.from(s)))],
  ]
  it.each(forms)('%s: no trace of the secret survives', (_, encode, reveals) => {
    fc.assert(
      fc.property(secret, noise, noise, (s, a, b) => {
        const out = redact(encode(s, a, b), [s])
        expect(reveals(out, s)).toBe(false)
      }),
      { numRuns: 300 },
    )
  })

  it("form encoding escapes ! ' ( ) * where encodeURIComponent does not: found by the property above (secret '\\0\\0\\0\\0)", () => {
    for (const s of ["'\0\0\0\0", "it's (a) *secret*!"]) {
      const out = redact(new URLSearchParams({ v: `x${s}y` }).toString(), [s])
      expect(new URLSearchParams(out).get('v')).not.toContain(s)
      expect(out).toContain(REDACTED)
    }
  })

  it.each([
    ['base64', (b: Buffer) => b.toString('base64')],
    ['base64url', (b: Buffer) => b.toString('base64url')],
  ])('%s inside a longer stream, at every alignment: decoding what is left never yields the secret', (_, encode) => {
    fc.assert(
      fc.property(secret, bytes, bytes, (s, before, after) => {
        const stream = encode(Buffer.concat([before, Buffer.from(s), after]))
        const out = redact(`app log: ${stream}`, [s])
        expect(base64Readings(out).some((r) => contains(r, Buffer.from(s)))).toBe(false)
      }),
      { numRuns: 500 },
    )
  })

  it('each line of a multi-line secret, printed one line at a time', () => {
    const line = fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 30, unit: 'grapheme-ascii' }).filter((l) => l.trim() === l && !/[\r\n]/.test(l))
    fc.assert(
      fc.property(fc.array(line, { minLength: 2, maxLength: 5 }), (lines) => {
        const value = lines.join('\n')
        for (const l of lines) expect(redact(`container: ${l} .`, [value])).not.toContain(l)
      }),
      { numRuns: 200 },
    )
  })
})

describe('the one minimum-length rule, for redaction and masks alike', () => {
  it.each(['1', 'on', 'abc'])('a value as short as %j is neither redacted nor masked', (v) => {
    expect(MIN_SECRET_LENGTH).toBe(4)
    expect(redact(`port 1 on abc 1`, [v])).toBe('port 1 on abc 1')
    expect(maskValues(v)).toEqual([])
    expect(secretForms(v)).toEqual([])
  })

  it('a value at the minimum is redacted and masked, with its forms', () => {
    expect(redact('pw=abcd b64=YWJjZA== hex=61626364', ['abcd'])).toBe(`pw=${REDACTED} b64=${REDACTED} hex=${REDACTED}`)
    expect(maskValues('abcd')).toEqual(expect.arrayContaining(['abcd', 'YWJjZA==', '61626364']))
  })

  it('short lines of a multi-line secret and PEM armor are not masks', () => {
    const pem = '-----BEGIN KEY-----\nAAAAB3NzaC1yc2E\n==\n-----END KEY-----'
    expect(maskValues(pem)).toContain('AAAAB3NzaC1yc2E')
    expect(maskValues(pem)).not.toContain('==')
    expect(maskValues(pem)).not.toContain('-----BEGIN KEY-----')
  })

  it('warns once, naming every short secret and no other', () => {
    expect(shortSecretsWarning([['LONG', 'long-enough'], ['EMPTY', '']])).toBeNull()
    const w = shortSecretsWarning([['FLAG', '1'], ['LONG', 'long-enough'], ['PIN', 'abc']])
    expect(w).toMatch(/^secrets FLAG, PIN are shorter than 4 characters, so they are not masked/)
    expect(w).not.toContain('LONG')
  })
})
