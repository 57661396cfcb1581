import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigErrors, loadConfigOrThrow } from '../../../src/config/index.js'
import type { GateOptions } from '../../../src/gate/index.js'
import { memoryLogger } from '../../../src/log.js'
import type { Session } from '../../../src/engine/session.js'
import type { DeployRequest } from '../../../src/engine/request.js'
import { ship, type ShipRun } from '../../../src/engine/ship.js'

// ship() refuses config and flag mistakes before the gate or the build starts: each phase's
// logger is asked for when that phase starts, so no phase asked for means nothing started.
const CONFIG = `
service: shop
image: acme/shop
servers:
  web: [10.0.0.1]
  jobs:
    hosts: [10.0.0.1]
    cmd: CMD
registry:
  server: registry.test
  username: acme
  password: [REGISTRY_PASSWORD]
env:
  secret: [DB_URL]
`

function request(over: { cmd?: string; dbUrl?: string; version?: string; onlyHosts?: readonly string[] }): { session: Session; req: DeployRequest; run: ShipRun; phases: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-ship-'))
  mkdirSync(join(dir, 'config'))
  writeFileSync(join(dir, 'config', 'deploy.yml'), CONFIG.replace('CMD', over.cmd ?? 'bin/jobs'))
  const { config, secrets } = loadConfigOrThrow({ cwd: dir, env: { REGISTRY_PASSWORD: 'pw', DB_URL: over.dbUrl ?? 'postgres://x' } })
  const phases: string[] = []
  // Only the options are read before the first phase; nothing here may connect anywhere.
  const session = { options: { config, secrets } } as unknown as Session
  const req: DeployRequest = {
    appDir: dir,
    version: over.version,
    skipBuild: false,
    gate: {} as GateOptions,
    performer: 'me',
    ...(over.onlyHosts ? { onlyHosts: over.onlyHosts } : {}),
  }
  const run: ShipRun = {
    builder: { cacheDir: join(dir, 'cache') },
    phase: (name) => {
      phases.push(name)
      return memoryLogger()
    },
  }
  return { session, req, run, phases }
}

describe('ship: mistakes found before the gate and the build', () => {
  it.each([
    ['cmd with shell syntax', { cmd: 'bin/jobs && rm -rf /' }, Error, /servers\/jobs\/cmd: .* uses shell syntax/],
    ['a secret with a newline', { dbUrl: 'line one\nline two' }, ConfigErrors, /env\/secret\/DB_URL: .*newline/],
    ['--hosts naming no configured host', { onlyHosts: ['10.0.0.9'] }, Error, /^--hosts: 10\.0\.0\.9 is not in the config's servers/],
    ['a version that is no image tag', { version: 'v1 beta' }, Error, /^version "v1 beta" is not a valid image tag/],
  ] as const)('%s', async (_, over, type, message) => {
    const { session, req, run, phases } = request(over)
    const error = await ship(session, req, run).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(type)
    expect((error as Error).message).toMatch(message)
    expect(phases).toEqual([])
  })

  it('a newline secret is reported by key path, never by value', async () => {
    const { session, req, run } = request({ dbUrl: 'line one\nline two' })
    const error = (await ship(session, req, run).then(() => undefined, (e: unknown) => e)) as ConfigErrors
    expect(error.errors.map((e) => e.keyPath)).toEqual(['env/secret/DB_URL'])
    expect(JSON.stringify(error.errors)).not.toContain('line one')
  })
})
