import { describe, expect, it } from 'vitest'
import type { CliCommand } from '../../../src/cli/command.js'
import { loadForCli } from '../../../src/cli/context.js'
import { resultJson } from '../../../src/cli/json-result.js'
import { runCli } from './run-cli.js'

const SECRET = 'sentinel-json-5d1e'
const run = (argv: string[], env: Record<string, string> = { REGISTRY_PASSWORD: 'pw-registry-77', DB_URL: SECRET }, commands?: CliCommand[]) => runCli(argv, env, commands)

/** stdout must be exactly one JSON object. */
const one = (stdout: string): Record<string, unknown> => {
  const parsed = JSON.parse(stdout) as unknown
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true)
  return parsed as Record<string, unknown>
}

describe('--json prints one object on every exit of a deploy-like command', () => {
  it.each([
    ['a config error (a secret not set)', ['deploy', '--json', '--version', 'v1', '--skip-build'], { REGISTRY_PASSWORD: 'pw-registry-77' }, 2, /DB_URL/, 'v1'],
    ['a bad flag', ['deploy', '--json', '--no-such-flag'], undefined, 2, /no-such-flag/, null],
    ['a bad version', ['rollback', 'bad version!', '--json'], undefined, 2, /VERSION/, 'bad version!'],
    ['a failure before any host (known_hosts unreadable)', ['rollback', 'v7', '--json', '--known-hosts', '/nonexistent/kh'], undefined, 1, /known_hosts file \/nonexistent\/kh: cannot read it/, 'v7'],
    ['remove without --confirm', ['remove', '--json'], undefined, 2, /--confirm/, null],
  ] as const)('%s', async (_, argv, env, code, error, version) => {
    const r = await run([...argv], env)
    expect(r.code).toBe(code)
    const json = one(r.stdout)
    expect(json).toMatchObject({ ok: false, version, hosts: [] })
    expect(String(json.error)).toMatch(error)
  })

  it('a failure whose message carries a secret: the object has it redacted', async () => {
    const leaky: CliCommand = {
      name: 'leaky',
      summary: '',
      usage: '',
      jsonResult: true,
      options: { json: { type: 'boolean' } },
      run(_, io) {
        loadForCli({}, io)
        throw new Error(`registry said: bad token ${SECRET} (${Buffer.from(SECRET).toString('base64')})`)
      },
    }
    const r = await run(['leaky', '--json'], undefined, [leaky])
    expect(r.code).toBe(1)
    expect(one(r.stdout)).toMatchObject({ ok: false, error: 'registry said: bad token [redacted] ([redacted])' })
    expect(r.stdout + r.stderr).not.toContain(SECRET)
  })

  it('a command that is not deploy-like prints no failure object, and without --json nothing goes to stdout', async () => {
    // `config --json` prints its own object (its errors); nothing is added to it.
    expect(one((await run(['config', '--json'], { REGISTRY_PASSWORD: 'x' })).stdout)).not.toHaveProperty('hosts')
    expect((await run(['deploy', '--no-such-flag'])).stdout).toBe('')
  })
})

describe('resultJson', () => {
  const host = { host: 'vm1', role: 'web', durationMs: 1 }
  it('is ok only when no host role failed, and says how many did', () => {
    expect(resultJson({ version: 'v1', image: 'i', changed: true, hosts: [{ ...host, action: 'replaced' }] })).toMatchObject({ ok: true, version: 'v1' })
    const bad = resultJson({ version: 'v1', image: 'i', changed: false, hosts: [{ ...host, action: 'failed', error: 'x' }, { ...host, host: 'vm2', action: 'unchanged' }] })
    expect(bad).toMatchObject({ ok: false, error: '1 of 2 host roles failed' })
    expect(bad).not.toHaveProperty('error', undefined)
  })
})
