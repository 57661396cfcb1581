import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import type { LoadResult } from '../../../src/config/index.js'
import { cfg, loadFrom } from './helpers.js'

const D = 'config/deploy.yml'

/** A clean outcome: a loaded config, or errors that each say where and what. Anything thrown fails. */
function assertClean(r: LoadResult): void {
  expect(typeof r.ok).toBe('boolean')
  if (r.ok) {
    expect(typeof r.config.service).toBe('string')
    return
  }
  expect(r.errors.length).toBeGreaterThan(0)
  for (const e of r.errors) {
    expect(typeof e.file).toBe('string')
    expect(typeof e.keyPath).toBe('string')
    expect(e.message.length).toBeGreaterThan(0)
    expect(typeof e.expected).toBe('string')
    if (e.line !== undefined) expect(Number.isInteger(e.line) && e.line >= 1).toBe(true)
  }
}

// Keys the loader knows, so random documents reach deep into the schema, not just the root.
const KEYS = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'service', 'image', 'servers', 'registry', 'env', 'proxy', 'ssh', 'builder', 'volumes', 'labels', 'logging', 'retain_containers', 'deploy_timeout', 'stop_timeout', 'primary_role', 'preview', 'accessories', 'hosts', 'clear', 'secret', 'tags', 'host', 'app_port', 'ssl', 'healthcheck', 'path', 'web', 'job', 'password', 'username', 'x-anchor', 'require_destination', 'options', 'restart', 'cmd', 'arch', 'cache', 'type']
const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('10.0.0.1', 'web', '/up', 'a b', '', '<%= x %>', 'pr-{number}.x.com', 'A:B', '80'))
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('node'), { maxKeys: 6 }),
})).node

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) }

describe('no input makes the loader crash (property)', () => {
  it('random YAML documents from random values', () => {
    fc.assert(
      fc.property(fc.oneof(tree, fc.anything()), (value) => {
        let text: string
        try {
          text = stringify(value)
        } catch {
          return // not representable as YAML; nothing to load
        }
        assertClean(loadFrom({ [D]: text }))
      }),
      RUNS,
    )
  })

  it('random text, including YAML punctuation', () => {
    const yamlish = fc.array(fc.constantFrom('a', ':', ' ', '\n', '-', '[', ']', '{', '}', '&x', '*x', '<<', '!!', '#', '"', "'", '|', '>', '%', '?', ',', '<%', '1'), { maxLength: 60 }).map((p) => p.join(''))
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), yamlish), (text) => assertClean(loadFrom({ [D]: text }))), RUNS)
  })

  it('a valid config with one key replaced by a random value', () => {
    const paths = ['service', 'image', 'servers', 'registry', 'env', 'proxy', 'ssh', 'builder', 'labels', 'logging', 'preview', 'retain_containers']
    fc.assert(
      fc.property(fc.constantFrom(...paths), tree, (key, value) => {
        assertClean(loadFrom({ [D]: cfg(stringify({ [key]: value })) }))
      }),
      RUNS,
    )
  })

  it('random destination files and secrets files', () => {
    fc.assert(
      fc.property(tree, fc.string({ maxLength: 80 }), (dest, secrets) => {
        let text: string
        try {
          text = stringify(dest)
        } catch {
          return
        }
        assertClean(loadFrom({ [D]: cfg('env:\n  secret: [A]'), 'config/deploy.qa.yml': text, '.kamal/secrets.qa': secrets.replace(/\$\(/g, '$') }, { destination: 'qa' }))
      }),
      RUNS,
    )
  })

  it('alias bombs stay bounded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`), 'service: *i'].join('\n')
    const r = loadFrom({ [D]: bomb })
    assertClean(r)
    expect(r.ok).toBe(false)
  })
})
