import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as audit from '../../../src/argv/audit.js'
import { auditLogPath } from '../../../src/argv/names.js'
import { runInSh, tempDir } from '../helpers/sh.js'

describe('audit log', () => {
  it.each([
    [{ at: 'T', performer: 'me', destination: null, role: 'web' }, 'Booted', '[T] [me] [web] Booted'],
    [{ at: 'T', performer: 'me', destination: 'prod', role: null }, 'x', '[T] [me] [prod] x'],
    [{ at: 'T', performer: 'a\nb', destination: null, role: null }, 'one\r\ntwo', '[T] [a b] one two'],
  ])('line %j %j', (tags, message, expected) => {
    expect(audit.auditLine(tags, message)).toBe(expected)
  })

  it('paths follow Kamal', () => {
    expect(auditLogPath({ service: 'app', destination: null })).toBe('.kamal/app-audit.log')
    expect(auditLogPath({ service: 'app', destination: 'prod' })).toBe('.kamal/app-prod-audit.log')
  })

  it('appends hostile lines literally (real sh), creating .kamal', () => {
    const home = tempDir('audit')
    const path = auditLogPath({ service: 'app', destination: null })
    const hostile = `[T] [me] it's "$(touch pwned)" \`id\` $HOME \\n ü`
    expect(runInSh(audit.append(path, hostile), home).code).toBe(0)
    expect(runInSh(audit.append(path, 'second\nline'), home).code).toBe(0)
    expect(readFileSync(join(home, path), 'utf8')).toBe(`${hostile}\nsecond line\n`)
    expect(audit.tail(path)).toEqual(['tail', '-n', '50', '.kamal/app-audit.log'])
  })
})
