import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { commandTraceFromEnv } from '../../../src/cli/trace.js'
import { Secrets } from '../../../src/secrets/index.js'

const dir = mkdtempSync(join(tmpdir(), 'cutover-trace-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const secrets = new Secrets([['DB_PASSWORD', 's3cret value']])
const redact = (s: string) => secrets.redact(s)
const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)

describe('CUTOVER_TRACE_FILE', () => {
  it('is off unless set', () => {
    expect(commandTraceFromEnv({}, dir, redact)).toBeUndefined()
    expect(commandTraceFromEnv({ CUTOVER_TRACE_FILE: '' }, dir, redact)).toBeUndefined()
  })

  it('appends one JSON line per command, relative to cwd, mode 0600', () => {
    const trace = commandTraceFromEnv({ CUTOVER_TRACE_FILE: 'trace.jsonl' }, dir, redact)!
    trace('vm1', "timeout -s KILL 60 docker ps --filter 'label=service=a b'")
    trace('vm2', 'timeout -s KILL 60 pwd')
    const file = join(dir, 'trace.jsonl')
    expect(lines(file)).toEqual([
      { host: 'vm1', command: "timeout -s KILL 60 docker ps --filter 'label=service=a b'" },
      { host: 'vm2', command: 'timeout -s KILL 60 pwd' },
    ])
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('never writes a secret value: a command holding one is traced redacted and flagged', () => {
    const file = join(dir, 'leak.jsonl')
    commandTraceFromEnv({ CUTOVER_TRACE_FILE: file }, '/', redact)!('vm1', "echo 's3cret value'")
    expect(readFileSync(file, 'utf8')).not.toContain('s3cret value')
    expect(lines(file)).toEqual([{ host: 'vm1', command: "echo '[redacted]'", redacted: true }])
  })
})
