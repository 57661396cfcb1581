import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hostEnv, loadConfigOrThrow } from '../../../src/config/index.js'
import { previewConfig } from '../../../src/engine/preview.js'
import { hostTargets } from '../../../src/engine/targets.js'
import { desiredContainer } from '../../../src/plan/container.js'

// Kamal's env tags (seed 004): `- host: tag` / `- host: [tag1, tag2]` under servers, and
// `env.tags.<tag>` in the full env format; a host's env is the role's with its tags' over it.
const CONFIG = (tags: string) => `
service: shop
image: acme/shop
servers:
  web:
    - 10.0.0.1
    - 10.0.0.2: dc1
    - 10.0.0.3: [dc1, canary]
    - 10.0.0.4: [canary, dc1]
  jobs:
    hosts:
      - 10.0.0.3: canary
registry:
  server: registry.test
  username: acme
  password: [REGISTRY_PASSWORD]
env:
  clear: { MODE: prod, REGION: none }
  secret: [DB_URL]
${tags}
x-cutover:
  preview:
    host: pr-{number}.example.com
`
const TAGS = `  tags:
    dc1:
      REGION: dc1
      DC: "1"
    canary:
      clear: { REGION: canary-region, GC: experimental }
      secret: [CANARY_TOKEN, DB_URL:CANARY_DB_URL]`

const SECRETS = { REGISTRY_PASSWORD: 'pw', DB_URL: 'postgres://prod', CANARY_TOKEN: 'tok', CANARY_DB_URL: 'postgres://canary' }

function load(yaml: string, env: Record<string, string> = SECRETS) {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-env-tags-'))
  mkdirSync(join(dir, 'config'))
  writeFileSync(join(dir, 'config', 'deploy.yml'), yaml)
  return loadConfigOrThrow({ cwd: dir, env })
}
const run = { performer: 'me', at: '2026-01-01T00:00:00.000Z', nonce: '0123456789abcdef' }
const targets = (yaml: string, env?: Record<string, string>) => {
  const { config, secrets } = load(yaml, env)
  return hostTargets({ config, secrets, version: 'v1', imageId: `sha256:${'a'.repeat(64)}`, run })
}
const role = (ts: ReturnType<typeof targets>, host: string, name = 'web') => ts.find((t) => t.host === host)!.roles.find((r) => r.role === name)!

describe('env tags: each host gets the role env with its tags over it, later tags winning', () => {
  const ts = targets(CONFIG(TAGS))
  it.each([
    ['untagged', '10.0.0.1', 'web', { MODE: 'prod', REGION: 'none' }, { DB_URL: 'postgres://prod' }],
    ['one tag (clear only, flat form)', '10.0.0.2', 'web', { MODE: 'prod', REGION: 'dc1', DC: '1' }, { DB_URL: 'postgres://prod' }],
    ['[dc1, canary]: canary wins REGION; canary secret and its DB_URL alias win', '10.0.0.3', 'web', { MODE: 'prod', REGION: 'canary-region', DC: '1', GC: 'experimental' }, { DB_URL: 'postgres://canary', CANARY_TOKEN: 'tok' }],
    ['[canary, dc1]: dc1 wins REGION', '10.0.0.4', 'web', { MODE: 'prod', REGION: 'dc1', DC: '1', GC: 'experimental' }, { DB_URL: 'postgres://canary', CANARY_TOKEN: 'tok' }],
    ['another role on a host tagged there', '10.0.0.3', 'jobs', { MODE: 'prod', REGION: 'canary-region', GC: 'experimental' }, { DB_URL: 'postgres://canary', CANARY_TOKEN: 'tok' }],
  ])('%s (%s %s)', (_, host, name, clear, secret) => {
    const d = role(ts, host, name)
    expect(d.env.clear).toEqual(clear)
    expect(d.env.secret).toEqual(secret)
  })

  it('a tag with no env.tags entry adds nothing (as in Kamal)', () => {
    const d = role(targets(CONFIG('').replace('- 10.0.0.2: dc1', '- 10.0.0.2: nowhere')), '10.0.0.2')
    expect(d.env.clear).toEqual({ MODE: 'prod', REGION: 'none' })
  })

  it('hostEnv: a later tag replaces a name whichever kind it was (clear ↔ secret)', () => {
    const env = hostEnv(
      { env: { clear: { A: 'role', B: 'role' }, secret: [{ name: 'S', secret: 'S' }] } },
      { tags: ['t1', 't2'] },
      { t1: { clear: { S: 'now-clear' }, secret: [{ name: 'A', secret: 'A_SECRET' }] }, t2: { clear: { A: 'clear-again' }, secret: [] } },
    )
    expect(env).toEqual({ clear: { B: 'role', S: 'now-clear', A: 'clear-again' }, secret: [] })
  })
})

describe('env tags and the settings digest', () => {
  const digests = (yaml: string, env?: Record<string, string>) => new Map(targets(yaml, env).map((t) => [t.host, desiredContainer(t.roles[0]!).digest]))
  const before = digests(CONFIG(TAGS))

  it.each([
    ['a dc1 clear value', CONFIG(TAGS.replace('DC: "1"', 'DC: "2"')), SECRETS, ['10.0.0.2', '10.0.0.3', '10.0.0.4']],
    ['a canary clear value', CONFIG(TAGS.replace('GC: experimental', 'GC: off')), SECRETS, ['10.0.0.3', '10.0.0.4']],
    ['a canary secret value', CONFIG(TAGS), { ...SECRETS, CANARY_TOKEN: 'rotated' }, ['10.0.0.3', '10.0.0.4']],
    ['a tag added to one host', CONFIG(TAGS).replace('- 10.0.0.1', '- 10.0.0.1: dc1'), SECRETS, ['10.0.0.1']],
    ['nothing', CONFIG(TAGS), SECRETS, []],
  ])('changing %s changes the digest of exactly the hosts that carry it', (_, yaml, env, changed) => {
    const after = digests(yaml, env)
    expect([...after].filter(([h, d]) => before.get(h) !== d).map(([h]) => h)).toEqual(changed)
  })
})

describe('previews never get tag env', () => {
  it('a preview on tagged hosts runs with its own env only (tag secrets are production’s)', () => {
    const { config, secrets } = load(CONFIG(TAGS))
    const preview = previewConfig(config, 7)
    const ts = hostTargets({ config: preview, secrets, version: 'v1', imageId: `sha256:${'a'.repeat(64)}`, run })
    const d = ts.find((t) => t.host === '10.0.0.3')!.roles[0]!
    expect(d.env.secret).toEqual({})
    expect(d.env.clear).toEqual({ MODE: 'prod', REGION: 'none' })
  })
})
