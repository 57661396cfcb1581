import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseDotenv, shellRunner } from '../../../src/secrets/dotenv.js'

const dir = mkdtempSync(join(tmpdir(), 'cutover-dotenv-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const parse = (text: string, env: Record<string, string | undefined> = {}) => parseDotenv(text, { env, run: shellRunner(dir) })
const values = (text: string, env: Record<string, string | undefined> = {}) => {
  const r = parse(text, env)
  expect(r.problems).toEqual([])
  return Object.fromEntries(r.entries.map((e) => [e.name, e.value]))
}

describe('parseDotenv: the Ruby dotenv dialect Kamal reads', () => {
  it.each([
    ['plain', 'A=b', { A: 'b' }],
    ['export prefix', 'export A=b', { A: 'b' }],
    ['spaces around =', 'A = b  ', { A: 'b' }],
    ['YAML-ish colon', 'A: b', { A: 'b' }],
    ['dotted name', 'A.B=c', { 'A.B': 'c' }],
    ['empty value', 'A=', { A: '' }],
    ['inline comment', 'A=b # note', { A: 'b' }],
    ['hash without space stays', 'A=b#c', { A: 'b#c' }],
    ['single quotes are literal', `A='$HOME $(echo x) \\n'`, { A: '$HOME $(echo x) \\n' }],
    ['double quotes expand escapes', 'A="x\\ny\\t\\"q\\""', { A: 'x\ny\t"q"' }],
    ['comment after a quoted value', `A="b" # c`, { A: 'b' }],
    ['comments and blank lines', '# c\n\n  # d\nA=b', { A: 'b' }],
    ['multi-line double-quoted (a PEM key)', 'K="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nB=c', { K: '-----BEGIN KEY-----\nabc\n-----END KEY-----', B: 'c' }],
    ['CRLF line ends', 'A=b\r\nC=d\r\n', { A: 'b', C: 'd' }],
    ['later line wins', 'A=1\nA=2', { A: '2' }],
  ])('%s', (_, text, expected) => {
    expect(values(text)).toEqual(expected)
  })

  it('fills $VAR and ${VAR} from earlier lines, then the environment', () => {
    expect(values('A=one\nB=$A-${A}\nC=$FROM_ENV\nD="${FROM_ENV}!"', { FROM_ENV: 'env' })).toEqual({ A: 'one', B: 'one-one', C: 'env', D: 'env!' })
  })

  it('leaves \\$ and a lone $ alone', () => {
    expect(values('A=\\$HOME\nB=cost: 5$\nC="\\$(not run)"')).toEqual({ A: '$HOME', B: 'cost: 5$', C: '$(not run)' })
  })

  it('an unset variable reads as empty and is remembered, so an empty secret can say why', () => {
    const r = parse('A=$NOPE${ALSO_NOPE}')
    expect(r.entries).toEqual([{ name: 'A', value: '', line: 1, unset: ['NOPE', 'ALSO_NOPE'] }])
  })

  it('runs $(command) locally in the project directory, trimming one newline', () => {
    expect(values('A=$(echo hello)\nB=$(printf "x\\n\\n")\nC=$(pwd)')).toEqual({ A: 'hello', B: 'x\n', C: dir })
  })

  it('nests $( ) and passes earlier values to the command as environment, not as text', () => {
    expect(values('A=$(echo $(echo inner))\nB=x\nC=$(printf %s "$B$B")')).toEqual({ A: 'inner', B: 'x', C: 'xx' })
  })

  it('never runs a value that came from a variable', () => {
    const marker = join(dir, 'pwned')
    const hostile = `$(touch ${marker})`
    expect(values('A=$HOSTILE\nB="$HOSTILE"', { HOSTILE: hostile })).toEqual({ A: hostile, B: hostile })
    expect(values('C=$(printf %s "$HOSTILE")', { HOSTILE: hostile })).toEqual({ C: hostile })
    expect(existsSync(marker)).toBe(false)
  })

  it('a failing command is an error with line and status, never its output', () => {
    const r = parse('OK=1\nBAD=$(echo sentinel-out; echo sentinel-err >&2; exit 7)')
    expect(r.problems).toEqual([{ line: 2, name: 'BAD', message: '$(…) exited with status 7', expected: expect.any(String) }])
    expect(JSON.stringify(r)).not.toMatch(/sentinel-(out|err)/)
    expect(r.entries.map((e) => e.name)).toEqual(['OK'])
  })

  it.each([
    ['not NAME=value', 'just words', 1, /not a NAME=value line/],
    ['unclosed quote', 'A=1\nB="open', 2, /never closed/],
    ['text after a quote', `A='x' y`, 1, /text after the closing quote/],
    ['unclosed $(', 'A=$(echo', 1, /without its closing \)/],
  ])('syntax problem: %s', (_, text, line, message) => {
    const r = parse(text)
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]!.line).toBe(line)
    expect(r.problems[0]!.message).toMatch(message)
  })
})
