import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalBuildCache, type CacheService } from '../../../src/action/build-cache.js'
import { localCache } from '../../../src/image/index.js'
import { loadConfigOrThrow } from '../../../src/config/index.js'
import { memoryLogger } from '../../../src/log.js'

// The decisions around GitHub's cache service (the service itself needs a real Actions runtime,
// which these machines do not have: saving and restoring against it is not tested here).

function app(cache: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-buildcache-'))
  mkdirSync(join(dir, 'config'))
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n')
  writeFileSync(
    join(dir, 'config', 'deploy.yml'),
    `service: shop\nimage: acme/shop\nservers: [10.0.0.1]\nregistry:\n  server: registry.test\n  username: u\n  password: p\nbuilder:\n  arch: amd64\n${cache ? `  cache:\n    type: ${cache}\n` : ''}`,
  )
  return { dir, config: loadConfigOrThrow({ cwd: dir, env: {} }).config }
}

function fakeService(available: boolean, stored: Record<string, string> = {}) {
  const calls: string[] = []
  const service: CacheService = {
    isFeatureAvailable: () => available,
    restoreCache: async (paths, key, restoreKeys) => {
      calls.push(`restore ${paths.join(',')} ${key} ${restoreKeys.join(',')}`)
      return stored[key] ?? Object.keys(stored).find((k) => restoreKeys.some((p) => k.startsWith(p)))
    },
    saveCache: async (paths, key) => {
      calls.push(`save ${paths.join(',')} ${key}`)
      return 1
    },
  }
  return { service, calls }
}

const SHA = 'c'.repeat(40)
const plan = (dockerfile = 'FROM scratch\n', revision = SHA) => localCache({ service: 'shop', arch: ['amd64'], dockerfile, cacheDir: '/cache', revision })

describe('builder.cache type local in the Action', () => {
  it('does nothing without `type: local`, or when nothing is built', () => {
    const log = memoryLogger()
    expect(LocalBuildCache.forRun(app(null).config, true, log)).toBeNull()
    expect(LocalBuildCache.forRun(app('registry').config, true, log)).toBeNull()
    expect(LocalBuildCache.forRun(app('local').config, false, log)).toBeNull()
  })

  it('restores the commit\'s key, else the same Dockerfile\'s newest, else any, into the service+arch directory; then saves under the commit\'s key', async () => {
    const { config } = app('local')
    const log = memoryLogger()
    const older = `cutover-buildcache-shop-amd64-${plan().key.split('-').at(-2)}-${'b'.repeat(40)}`
    const { service, calls } = fakeService(true, { [older]: 'x' })
    const c = LocalBuildCache.forRun(config, true, log, service)!
    const p = plan()
    expect(p.key).toMatch(new RegExp(`^cutover-buildcache-shop-amd64-[0-9a-f]{16}-${SHA}$`))
    await c.restore(p)
    const hash = p.key.split('-').at(-2)
    expect(calls[0]).toBe(`restore /cache/buildcache/shop-amd64 ${p.key} cutover-buildcache-shop-amd64-${hash}-,cutover-buildcache-shop-amd64-`)
    expect(log.lines).toContain(`info: builder.cache local: restored ${older}`)
    await c.save(p)
    expect(calls[1]).toBe(`save /cache/buildcache/shop-amd64 ${p.key}`)
  })

  it('a new commit gets a new key: the cache is saved again, never left at the first build\'s state', () => {
    expect(plan(undefined, 'a'.repeat(40)).key).not.toBe(plan(undefined, 'b'.repeat(40)).key)
    expect(plan(undefined, 'a'.repeat(40)).restoreKeys).toEqual(plan(undefined, 'b'.repeat(40)).restoreKeys)
    expect(plan('FROM busybox\n').restoreKeys[0]).not.toBe(plan().restoreKeys[0])
  })

  it('does not save again a key it restored exactly', async () => {
    const { config } = app('local')
    const p = plan()
    const { service, calls } = fakeService(true, { [p.key]: p.key })
    const c = LocalBuildCache.forRun(config, true, memoryLogger(), service)!
    await c.restore(p)
    await c.save(p)
    expect(calls.filter((x) => x.startsWith('save'))).toEqual([])
  })

  it('logs into the build\'s logger when the build hands one', async () => {
    const { config } = app('local')
    const own = memoryLogger()
    const build = memoryLogger()
    const c = LocalBuildCache.forRun(config, true, own, fakeService(true).service)!
    await c.restore(plan(), build)
    expect(build.lines).toEqual([`info: builder.cache local: no cache yet for ${plan().key}`])
    expect(own.lines).toEqual([])
  })

  it('says so and builds without a cache where the cache service is not available', async () => {
    const { config } = app('local')
    const log = memoryLogger()
    const { service, calls } = fakeService(false)
    const c = LocalBuildCache.forRun(config, true, log, service)!
    await c.restore(plan())
    await c.save(plan())
    expect(calls).toEqual([])
    expect(log.lines.join('\n')).toContain('not available here')
  })

  it('only warns when the cache service fails', async () => {
    const { config } = app('local')
    const log = memoryLogger()
    const service: CacheService = { isFeatureAvailable: () => true, restoreCache: () => Promise.reject(new Error('503')), saveCache: () => Promise.reject(new Error('quota')) }
    const c = LocalBuildCache.forRun(config, true, log, service)!
    await c.restore(plan())
    await c.save(plan())
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toEqual([
      'warn: builder.cache local: restoring failed (503); building without it',
      'warn: builder.cache local: saving failed (quota)',
    ])
  })
})
