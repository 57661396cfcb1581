import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { diffSettings, shortImage, type DiffInput } from '../../../src/plan/diff.js'
import { flatSettings, secretHash, secretHashes } from '../../../src/plan/settings.js'
import { desiredContainer } from '../../../src/plan/container.js'
import { plan } from '../../../src/plan/plan.js'
import { hiddenKey } from '../../../src/argv/observation.js'
import { deployed, desired, desiredV1, host, routeTo, aliasTarget } from './fixtures.js'

const A = `sha256:ab12${'0'.repeat(60)}`
const B = `sha256:cd34${'0'.repeat(60)}`
const side = (values: Record<string, string>, secrets: Record<string, string> | null = {}) => ({ values, secrets })

describe('diffSettings', () => {
  it.each<[string, DiffInput, string[]]>([
    ['nothing differs', { before: side({ image: `r/app:v1@${A}`, 'env.clear.POOL': '5' }), after: side({ image: `r/app:v1@${A}`, 'env.clear.POOL': '5' }) }, []],
    ['image', { before: side({ image: `r/app:v1@${A}` }), after: side({ image: `r/app:v2@${B}` }) }, [`image r/app:v1@sha256:ab1200000000 → r/app:v2@sha256:cd3400000000`]],
    ['a clear env value', { before: side({ image: 'i', 'env.clear.POOL': '5' }), after: side({ image: 'i', 'env.clear.POOL': '10' }) }, ['env.clear.POOL: 5 → 10']],
    ['added and removed keys, sorted', { before: side({ image: 'i', 'labels.b': '1' }), after: side({ image: 'i', 'env.clear.A': 'x' }) }, ['env.clear.A: (none) → x', 'labels.b: 1 → (none)']],
    ['secrets by keyed hash only', { before: side({ image: 'i' }, { DATABASE_URL: 'h1', OLD: 'h' , SAME: 's' }), after: side({ image: 'i' }, { DATABASE_URL: 'h2', NEW: 'h', SAME: 's' }) }, ['secret DATABASE_URL changed', 'secret NEW added', 'secret OLD removed']],
    ['secrets not comparable (the host has no key yet)', { before: side({ image: 'i' }, {}), after: side({ image: 'i' }, null) }, []],
    ['secrets not comparable, names listed', { before: side({ image: 'i' }, null), after: side({ image: 'i' }, { B: 'x', A: 'y' }) }, ['secrets not compared (no record of them on this host yet): A, B']],
    ['a first boot', { before: null, after: side({ image: `r/app:v2@${B}` }) }, ['new: image r/app:v2@sha256:cd3400000000']],
    ['a container without records (Kamal)', { before: 'unrecorded', after: side({ image: 'r/app:v2@x' }) }, ['image → r/app:v2@x', 'settings of the serving container were not recorded (deployed by Kamal or an older cutover): other changes unknown']],
    ['not built yet', { before: side({ image: `r/app:v1@${A}` }), after: side({ image: 'r/app:v2@unbuilt:abc' }), unbuiltFrom: 'abc1234' }, ['image r/app:v1@sha256:ab1200000000 → to be built from abc1234']],
  ])('%s', (_name, input, lines) => {
    expect(diffSettings(input)).toEqual(lines)
  })

  it('shortImage keeps refs without a digest', () => {
    expect(shortImage('r/app:v1')).toBe('r/app:v1')
  })
})

describe('settings labels', () => {
  const KEY = 'k'.repeat(64)

  it('secrets are keyed hashes: not the plain sha256 of the value, different under another key, never the value', () => {
    const h = secretHash(KEY, 'PIN', '1234')
    expect(h).toMatch(/^[0-9a-f]{16}$/)
    expect(createHash('sha256').update('1234').digest('hex')).not.toContain(h)
    expect(secretHash('another-key'.padEnd(64, 'x'), 'PIN', '1234')).not.toBe(h)
    expect(secretHash(KEY, 'PIN', '1235')).not.toBe(h)
  })

  it('the container records its settings and keyed secret hashes; no secret value in any label', () => {
    const d = desired()
    const spec = desiredContainer(d, KEY).spec
    const labels = JSON.stringify(spec.labels)
    expect(labels).not.toContain(d.env.secret.DB_PASSWORD)
    expect(JSON.parse(spec.labels['cutover.secrets'] ?? '{}')).toEqual(secretHashes(KEY, d.env.secret))
    expect(JSON.parse(spec.labels['cutover.settings'] ?? '{}')).toMatchObject({ 'env.clear.MODE': 'prod', image: `${d.repository}:v2@${d.imageId}`, 'proxy.hosts': 'app.test' })
    // Without a key, nothing is recorded; and the digest does not depend on the records.
    expect(desiredContainer(d).spec.labels['cutover.settings']).toBeUndefined()
    expect(desiredContainer(d, KEY).digest).toBe(desiredContainer(d).digest)
  })

  it('flatSettings covers env, volumes, options, cmd and the route', () => {
    const d = desired({ volumes: ['/a:/b'], options: { cpus: 2 }, cmd: ['serve', '--fast'] })
    const flat = flatSettings(d.imageId, desiredContainer(d).spec, d.proxy?.route ?? null)
    expect(flat).toMatchObject({ volumes: '/a:/b', 'options.cpus': '2', cmd: 'serve --fast', 'proxy.appPort': '80' })
  })

  it('plan: the diff against the serving container, per role', () => {
    const key = hiddenKey(KEY)
    const v1 = desiredV1({ env: { clear: { MODE: 'prod', POOL: '5' }, secret: { DB_PASSWORD: 'old' } } })
    const v1Spec = desiredContainer(v1, KEY).spec
    const old = deployed(v1, { settings: v1Spec.labels['cutover.settings'] ?? null, secrets: v1Spec.labels['cutover.secrets'] ?? null })
    const d = desired({ env: { clear: { MODE: 'prod', POOL: '10' }, secret: { DB_PASSWORD: 'new' } } })
    const p = plan(d, host({ containers: [old], routes: [routeTo(d, aliasTarget(v1))], settingsKey: key, settingsStored: true }))
    expect(p.changes).toEqual([
      `image registry.test:5000/app:v1@sha256:111111111111 → registry.test:5000/app:v2@sha256:222222222222`,
      'env.clear.POOL: 5 → 10',
      'secret DB_PASSWORD changed',
    ])
    // A host without a key: the plan writes the new one 0600 before the container runs.
    const fresh = plan(d, host({ settingsKey: key, settingsStored: false }))
    const kinds = fresh.steps.map((s) => (s.kind === 'writeFile' ? `write ${s.path} ${s.mode.toString(8)}` : s.kind))
    expect(kinds.indexOf('write .kamal/cutover/settings.key 600')).toBeGreaterThan(-1)
    expect(kinds.indexOf('write .kamal/cutover/settings.key 600')).toBeLessThan(kinds.indexOf('run'))
    expect(JSON.stringify(fresh.steps)).not.toContain(KEY)
  })
})
