import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { canonicalJson } from '../../../src/plan/digest.js'
import { desiredContainer } from '../../../src/plan/container.js'
import type { DesiredRole } from '../../../src/plan/desired.js'
import { DEFAULT_ROUTE } from '../../../src/argv/proxy.js'
import { desired } from './fixtures.js'

const reversed = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [3, { d: null, c: 'x' }] }, '{"a":[3,{"c":"x","d":null}],"b":1}'],
    [{ a: undefined, b: true }, '{"b":true}'],
    [[undefined, 'é'], '[null,"é"]'],
    ['line\nbreak', '"line\\nbreak"'],
  ])('%j → %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected)
  })

  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        expect(canonicalJson(reversed(o))).toBe(canonicalJson(o))
      }),
    )
  })

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/no JSON form/)
  })
})

describe('settings digest', () => {
  const base = desired({
    env: { clear: { A: '1', B: '2' }, secret: { S1: 'x', S2: 'y' } },
    labels: { team: 'a', tier: 'b' },
    options: { cpus: 2, 'add-host': ['h:1.2.3.4'] },
    volumes: ['/data:/data', '/logs:/logs'],
  })
  const d0 = desiredContainer(base).digest

  it('is 64 hex chars and stable under key order of env, secrets, labels and options', () => {
    expect(d0).toMatch(/^[0-9a-f]{64}$/)
    const shuffled = desired({
      ...base,
      env: { clear: reversed(base.env.clear), secret: reversed(base.env.secret) },
      labels: reversed(base.labels),
      options: reversed(base.options),
    })
    expect(desiredContainer(shuffled).digest).toBe(d0)
  })

  it.each<[string, Partial<DesiredRole>]>([
    ['a clear env value', { env: { clear: { A: '1', B: '3' }, secret: base.env.secret } }],
    ['a secret value', { env: { clear: base.env.clear, secret: { S1: 'x', S2: 'z' } } }],
    ['the image content id', { imageId: `sha256:${'f'.repeat(64)}` }],
    ['the version', { version: 'v3' }],
    ['volume order', { volumes: ['/logs:/logs', '/data:/data'] }],
    ['a label', { labels: { team: 'a', tier: 'c' } }],
    ['an option', { options: { cpus: 3, 'add-host': ['h:1.2.3.4'] } }],
    ['the cmd', { cmd: ['bin/web', '--port', '3000'] }],
    ['the logging', { logging: { driver: 'local', options: {} } }],
    ['the proxy hosts', { proxy: { route: { ...DEFAULT_ROUTE, hosts: ['other.test'] } } }],
    ['the app port', { proxy: { route: { ...DEFAULT_ROUTE, hosts: ['app.test'], appPort: 3000 } } }],
    ['having no proxy', { proxy: null }],
    ['the host (KAMAL_HOST)', { host: 'vm2' }],
  ])('changes with %s', (_, over) => {
    expect(desiredContainer(desired({ ...base, ...over })).digest).not.toBe(d0)
  })

  it.each<[string, Partial<DesiredRole>]>([
    ['the run (time, performer, nonce)', { run: { at: '2030-01-01T00:00:00Z', performer: 'someone', nonce: 'ffffffffffffffff' } }],
    ['deploy and drain timeouts', { deployTimeoutS: 99, drainTimeoutS: 1 }],
    ['the stop timeout', { stopTimeoutS: 3 }],
    ['retain', { retain: 9 }],
    ['registry credentials', { registry: { server: 'registry.test:5000', username: 'other', password: 'other' } }],
  ])('does not change with %s', (_, over) => {
    expect(desiredContainer(desired({ ...base, ...over })).digest).toBe(d0)
  })
})
