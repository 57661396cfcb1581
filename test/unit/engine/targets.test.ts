import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigErrors, loadConfigOrThrow } from '../../../src/config/index.js'
import { hostTargets, primaryHost, splitCmd } from '../../../src/engine/targets.js'

const CONFIG = `
service: shop
image: acme/shop
servers:
  web: [10.0.0.1, 10.0.0.2]
  jobs:
    hosts: [10.0.0.2]
    cmd: bin/jobs --queue "high prio"
registry:
  server: registry.test
  username: acme
  password: [REGISTRY_PASSWORD]
env:
  clear: { MODE: prod }
  secret: [DB_URL]
`

function load(env: Record<string, string>, yaml = CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-targets-'))
  mkdirSync(join(dir, 'config'))
  writeFileSync(join(dir, 'config', 'deploy.yml'), yaml)
  return loadConfigOrThrow({ cwd: dir, env: { REGISTRY_PASSWORD: 'pw', ...env } })
}

const run = { performer: 'me', at: '2026-01-01T00:00:00.000Z', nonce: '0123456789abcdef' }

describe('hostTargets', () => {
  it('puts every role on its hosts, the primary role first, with resolved secrets', () => {
    const { config, secrets } = load({ DB_URL: 'postgres://x' })
    const targets = hostTargets({ config, secrets, version: 'v1', imageId: `sha256:${'a'.repeat(64)}`, run })
    expect(targets.map((t) => [t.host, t.roles.map((r) => r.role)])).toEqual([
      ['10.0.0.1', ['web']],
      ['10.0.0.2', ['web', 'jobs']],
    ])
    const jobs = targets[1]!.roles[1]!
    expect(jobs.cmd).toEqual(['bin/jobs', '--queue', 'high prio'])
    expect(jobs.env.secret).toEqual({ DB_URL: 'postgres://x' })
    expect(jobs.registry).toEqual({ server: 'registry.test', username: 'acme', password: 'pw' })
    expect(primaryHost(config)).toBe('10.0.0.1')
  })

  it('refuses a secret Docker cannot carry as a config error naming the key, never the value', () => {
    const { config, secrets } = load({ DB_URL: 'line one\nline two' })
    let thrown: unknown
    try {
      hostTargets({ config, secrets, version: 'v1', imageId: `sha256:${'a'.repeat(64)}`, run })
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(ConfigErrors)
    const errors = (thrown as ConfigErrors).errors
    expect(errors.map((e) => e.keyPath)).toEqual(['env/secret/DB_URL'])
    expect(JSON.stringify(errors)).not.toContain('line one')
  })

  it('refuses --hosts naming a host the config does not have', () => {
    const { config, secrets } = load({ DB_URL: 'x' })
    expect(() => hostTargets({ config, secrets, version: 'v1', imageId: `sha256:${'a'.repeat(64)}`, run, onlyHosts: ['10.9.9.9'] })).toThrow(/^--hosts: 10\.9\.9\.9 is not in the config's servers/)
  })
})

describe('the registry hosts log in to before they pull', () => {
  const withRegistry = (registry: string) => CONFIG.replace(/registry:\n(  .*\n)+/, `registry:\n${registry}`)

  it.each([
    ['a named server', '  server: registry.test\n  username: acme\n  password: [REGISTRY_PASSWORD]\n', { server: 'registry.test', username: 'acme', password: 'pw' }],
    // No server is Docker Hub (Kamal's default): a private image there needs the login too.
    ['no server (Docker Hub)', '  username: acme\n  password: [REGISTRY_PASSWORD]\n', { server: 'docker.io', username: 'acme', password: 'pw' }],
    ['a localhost registry', '  server: localhost:5555\n', null],
  ])('%s', (_, registry, login) => {
    const { config, secrets } = load({ DB_URL: 'x' }, withRegistry(registry))
    const targets = hostTargets({ config, secrets, version: 'v1', imageId: `sha256:${'a'.repeat(64)}`, run })
    expect(targets.flatMap((t) => t.roles.map((r) => r.registry))).toEqual([login, login, login])
  })
})

describe('splitCmd', () => {
  it.each([
    ['rails server', ['rails', 'server']],
    [`sh -c 'echo "$HOME"'`, ['sh', '-c', 'echo "$HOME"']],
    ['bin/run $PORT', ['bin/run', '$PORT']],
  ])('%s', (cmd, words) => expect(splitCmd(cmd, 'web')).toEqual(words))

  it.each(['a && b', 'a | b', 'a > out', 'a; b'])('refuses shell syntax: %s', (cmd) => {
    expect(() => splitCmd(cmd, 'web')).toThrow(/servers\/web\/cmd: .* uses shell syntax/)
  })
})
