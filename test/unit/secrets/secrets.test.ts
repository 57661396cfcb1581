import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { loadSecrets, REDACTED, redact, Secrets, secretsFiles } from '../../../src/secrets/index.js'

describe('Secrets', () => {
  const s = new Secrets([
    ['DB_PASSWORD', 'sentinel-db-9f'],
    ['EMPTY', ''],
  ])

  it('gives values by name and lists non-empty values for masking', () => {
    expect(s.get('DB_PASSWORD')).toBe('sentinel-db-9f')
    expect(s.resolve({ secret: 'DB_PASSWORD' })).toBe('sentinel-db-9f')
    expect(s.resolve('literal')).toBe('literal')
    expect(s.values()).toEqual(['sentinel-db-9f'])
    expect(s.envValues([{ name: 'DATABASE_PASSWORD', secret: 'DB_PASSWORD' }])).toEqual({ DATABASE_PASSWORD: 'sentinel-db-9f' })
    expect(() => s.get('NOPE')).toThrow(/NOPE was not loaded/)
  })

  it('prints as names with [redacted], however it is printed', () => {
    for (const out of [String(s), JSON.stringify(s), inspect(s), `${s}`, inspect({ nested: s }, { depth: 5 })]) {
      expect(out).not.toContain('sentinel-db-9f')
      expect(out).toContain(REDACTED)
    }
    expect(JSON.parse(JSON.stringify({ s }))).toEqual({ s: { DB_PASSWORD: REDACTED, EMPTY: REDACTED } })
  })
})

describe('redact', () => {
  it.each([
    ['every occurrence', 'a=hunter2 b=hunter2', ['hunter2'], `a=${REDACTED} b=${REDACTED}`],
    ['longest first', 'token=abcdef', ['abc', 'abcdef'], `token=${REDACTED}`],
    ['regex characters literally', 'p=a.b*c(d)', ['a.b*c(d)'], `p=${REDACTED}`],
    ['nothing to redact', 'plain text', [], 'plain text'],
    ['empty values ignored', 'plain text', [''], 'plain text'],
    ['a replacement is not rewritten', 'x=secret', ['secret', 'red'], `x=${REDACTED}`],
  ])('%s', (_, text, values, expected) => {
    expect(redact(text, values)).toBe(expected)
  })

  it('redacts the lines of a multi-line secret one by one', () => {
    const pem = '-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQAB\n-----END KEY-----'
    const log = 'container said: AAAAB3NzaC1yc2EAAAADAQAB and then ok'
    expect(redact(log, [pem])).toBe(`container said: ${REDACTED} and then ok`)
  })
})

describe('loadSecrets', () => {
  const files = (map: Record<string, string>) => (abs: string) => {
    const hit = Object.entries(map).find(([rel]) => abs.endsWith(`/${rel}`))
    return hit?.[1]
  }
  const src = (map: Record<string, string>, env: Record<string, string> = {}, destination?: string) => ({
    cwd: '/',
    secretsPath: '.kamal/secrets',
    env,
    readFile: files(map),
    ...(destination ? { destination } : {}),
  })
  const use = (name: string) => ({ name, keyPath: `env/secret/0` })

  it('names Kamal’s files in order', () => {
    expect(secretsFiles('.kamal/secrets')).toEqual(['.kamal/secrets-common', '.kamal/secrets'])
    expect(secretsFiles('.kamal/secrets', 'prod')).toEqual(['.kamal/secrets-common', '.kamal/secrets.prod'])
  })

  it('later files win', () => {
    const r = loadSecrets(src({ '.kamal/secrets-common': 'A=common\nB=common', '.kamal/secrets': 'A=specific' }), [use('A'), use('B')])
    expect(r.problems).toEqual([])
    expect([r.secrets.get('A'), r.secrets.get('B')]).toEqual(['specific', 'common'])
  })

  it('falls back to the environment only when there is no secrets file', () => {
    expect(loadSecrets(src({}, { A: 'from-env' }), [use('A')]).secrets.get('A')).toBe('from-env')
    const r = loadSecrets(src({ '.kamal/secrets': 'B=1' }, { A: 'from-env' }), [use('A')])
    expect(r.problems.map((p) => p.message)).toEqual(['names the secret A, which is not in .kamal/secrets'])
  })

  it('reads nothing (and runs no command) when no secret is named', () => {
    let read = 0
    const r = loadSecrets({ ...src({}), readFile: () => (read++, 'A=$(exit 1)') }, [])
    expect([read, r.problems]).toEqual([0, []])
  })

  it('keeps every value from the files for redaction, not only the named ones', () => {
    const r = loadSecrets(src({ '.kamal/secrets': 'A=named\nOTHER=also-secret' }), [use('A')])
    expect(r.secrets.values().sort()).toEqual(['also-secret', 'named'])
  })

  it('a file error points at the file and line, and does not also report the name missing', () => {
    const r = loadSecrets({ ...src({ '.kamal/secrets': 'A=$(exit 4)' }), cwd: process.cwd() }, [use('A')])
    expect(r.problems).toEqual([{ file: '.kamal/secrets', line: 1, keyPath: 'A', message: '$(…) exited with status 4', expected: expect.any(String) }])
  })
})
