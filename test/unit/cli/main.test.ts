import { describe, expect, it } from 'vitest'
import type { CliCommand } from '../../../src/cli/command.js'
import { loadForCli } from '../../../src/cli/context.js'
import { runCli } from './run-cli.js'

const SECRET = 'sentinel-DB-9f3c'
const run = (argv: string[], commands?: CliCommand[], env: Record<string, string> = {}) => runCli(argv, { REGISTRY_PASSWORD: 'pw-registry-77', DB_URL: SECRET, ...env }, commands)

/** A command that loads the config as every host command does, then fails with a secret in its message (as a remote's stderr might). */
const leaky: CliCommand = {
  name: 'leaky',
  summary: 'fails with a secret in its error',
  usage: 'cutover leaky',
  options: {},
  run(_, io) {
    loadForCli({}, io)
    io.stdout(`printed ${SECRET}\n`)
    throw new Error(`the host said: connect to postgres://${SECRET}@db failed`)
  },
}

describe('main: errors never show a loaded secret', () => {
  it('redacts the final error message and anything else printed', async () => {
    const r = await run(['leaky'], [leaky])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('cutover leaky: the host said: connect to postgres://[redacted]@db failed\n')
    expect(r.stdout).toBe('printed [redacted]\n')
  })

  it('redacts the stack CUTOVER_DEBUG shows too', async () => {
    const r = await run(['leaky'], [leaky], { CUTOVER_DEBUG: '1' })
    expect(r.stderr).toMatch(/at Object\.run/)
    expect(r.stderr).not.toContain(SECRET)
  })
})

describe('a version that is no image tag is a usage error naming where it came from', () => {
  it.each([
    [['deploy', '--version', 'v1 beta'], 'cutover deploy: --version "v1 beta" is not a valid image tag'],
    [['rollback', 'v1+build'], 'cutover rollback: VERSION "v1+build" is not a valid image tag'],
  ])('%j', async (argv, message) => {
    const r = await run(argv)
    expect(r.code).toBe(2)
    expect(r.stderr.startsWith(message)).toBe(true)
  })
})
