import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CliIO } from '../../../src/cli/command.js'
import { main } from '../../../src/cli/main.js'

/** main() as a user runs it, in a directory that also holds a config/deploy.yml (which config-less ignores). */
async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'cutover-configless-cli-'))
  mkdirSync(join(cwd, 'config'))
  writeFileSync(join(cwd, 'config', 'deploy.yml'), 'service: other\nimage: other\nservers: [9.9.9.9]\nregistry: {username: u, password: [NOPE]}\n')
  let stdout = ''
  let stderr = ''
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { HOME: cwd, ...env }, cwd }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

// Unroutable on purpose: none of these runs may get as far as a connection.
const OK = ['deploy', '127.0.0.1:1/cl/app:v1', '--host', 'app.example.com', '--server', '192.0.2.1']

describe('cutover deploy IMAGE: flag mistakes are usage errors naming the flag, before any host', () => {
  it.each([
    [['deploy', 'a/b:v1', 'c/d:v2', '--host', 'h.test', '--server', 's'], 'expected one IMAGE, got 2 words'],
    [['deploy', '--host', 'app.example.com'], '--host belongs to a config-less deploy: give the IMAGE too'],
    [['deploy', '--server', 's', '--env', 'A=1'], '--server, --env belong to a config-less deploy'],
    [[...OK, '-c', 'config/deploy.yml'], '--config needs a config file; with an IMAGE nothing is read from one or built'],
    [[...OK, '--version', 'v2'], '--version needs a config file'],
    [[...OK, '--skip-build', '--ref', 'abc'], '--ref, --skip-build need a config file'],
    [['deploy', '127.0.0.1:1/cl/app:v1', '--server', '192.0.2.1'], '--host is missing'],
    [['deploy', '127.0.0.1:1/cl/app:v1', '--host', 'app.example.com'], '--server is missing'],
    [[...OK, '--env', 'GREETING'], '--env "GREETING" is not NAME=VALUE'],
    [[...OK, '--secret', 'API_TOKEN'], '--secret API_TOKEN: the environment variable API_TOKEN is not set'],
    [[...OK, '--volume', 'data'], '--volume "data" is not SOURCE:/path'],
    [[...OK, '--app-port', 'http'], '--app-port "http" is not a port'],
    [[...OK, '--registry-user', 'ci'], '--registry-user needs the registry password in the environment: set CUTOVER_REGISTRY_PASSWORD or KAMAL_REGISTRY_PASSWORD'],
    [['deploy', '127.0.0.1:1/cl/App:v1', '--host', 'app.example.com', '--server', '192.0.2.1'], 'IMAGE "127.0.0.1:1/cl/App:v1" is not an image reference'],
  ])('%j', async (argv, message) => {
    const r = await run(argv)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain(`cutover deploy: ${message}`)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace for a user mistake
  })

  it('--json: still one object, the failure naming the flag', async () => {
    const r = await run([...OK, '--env', 'oops', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: expect.stringContaining('--env "oops" is not NAME=VALUE') })
  })

  it('a --secret value never shows, even when typed on the command line by mistake', async () => {
    const r = await run([...OK, '--secret', 'API_TOKEN=sentinel-typed-9', '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr + r.stdout).not.toContain('sentinel-typed-9')
  })
})

describe('cutover deploy IMAGE with good flags', () => {
  it('says once that config/deploy.yml is not read, and redacts the secrets it was given', async () => {
    // --dry-run against an unroutable registry: the run fails at the registry, after the flags were taken.
    const r = await run([...OK, '--secret', 'API_TOKEN', '--registry-user', 'ci', '--known-hosts', '/dev/null', '--dry-run'], { API_TOKEN: 'tok-sentinel-5', CUTOVER_REGISTRY_PASSWORD: 'pw-sentinel-6' })
    expect(r.stderr.match(/config\/deploy\.yml is not read: an IMAGE was given, so this is a config-less deploy/g)).toHaveLength(1)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/127\.0\.0\.1:1/)
    expect(r.stderr + r.stdout).not.toMatch(/sentinel/)
  })
})
