import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/index.js'

// Every config the project ships loads in cutover with no warning; test/e2e/kamal-interop.test.ts
// runs real Kamal's `kamal config` on the same files.
const EXAMPLES = resolve(import.meta.dirname, '../../../examples')
const files = readdirSync(EXAMPLES).flatMap((name) => {
  const dir = join(EXAMPLES, name, 'config')
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^deploy.*\.yml$/.test(f)).map((f) => [name, `config/${f}`] as const) : []
})
const SECRETS = { KAMAL_REGISTRY_PASSWORD: 'x', DATABASE_URL: 'x', CANARY_TOKEN: 'x', PREVIEW_DATABASE_URL: 'x' }

describe('shipped example configs', () => {
  it('there are some (hello, kamal-interop)', () => {
    expect(files.map(([name]) => name)).toEqual(expect.arrayContaining(['hello', 'kamal-interop']))
  })

  it.each(files)('examples/%s/%s loads without warnings', (name, file) => {
    const r = loadConfig({ cwd: join(EXAMPLES, name), configFile: file, env: SECRETS })
    expect(r.ok ? [] : r.errors).toEqual([])
    expect(r.warnings).toEqual([])
  })

  it('examples/kamal-interop uses every cutover addition on this branch: x-cutover.preview, env tags, ERB', () => {
    const r = loadConfig({ cwd: join(EXAMPLES, 'kamal-interop'), env: SECRETS })
    if (!r.ok) throw new Error(JSON.stringify(r.errors))
    expect(r.config.preview?.hostTemplate).toBe('pr-{number}.preview.example.com')
    expect(Object.keys(r.config.envTags).sort()).toEqual(['canary', 'dc1'])
    expect(r.config.registry.username).toBe('acme')
  })
})
