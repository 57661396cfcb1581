import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalBuildCache, type CacheService } from '../../../src/action/build-cache.js'
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

describe('builder.cache type local in the Action', () => {
  it('does nothing without `type: local`, or when nothing is built', () => {
    const log = memoryLogger()
    expect(LocalBuildCache.forRun(app(null).config, '/x', '/cache', true, log)).toBeNull()
    expect(LocalBuildCache.forRun(app('registry').config, '/x', '/cache', true, log)).toBeNull()
    const { dir, config } = app('local')
    expect(LocalBuildCache.forRun(config, dir, '/cache', false, log)).toBeNull()
  })

  it('restores by key or prefix into the service+arch directory, then saves under the new key', async () => {
    const { dir, config } = app('local')
    const log = memoryLogger()
    const { service, calls } = fakeService(true, { 'cutover-buildcache-shop-amd64-0000000000000000': 'x' })
    const c = LocalBuildCache.forRun(config, dir, '/cache', true, log, service)!
    await c.restore()
    expect(calls[0]).toMatch(/^restore \/cache\/buildcache\/shop-amd64 cutover-buildcache-shop-amd64-[0-9a-f]{16} cutover-buildcache-shop-amd64-$/)
    expect(log.lines).toContain('info: builder.cache local: restored cutover-buildcache-shop-amd64-0000000000000000')
    const key = calls[0]!.split(' ')[2]!
    await c.save({ dir: '/cache/buildcache/shop-amd64', nextDir: '/cache/buildcache/shop-amd64.next', key, restoreKeys: [] })
    expect(calls[1]).toBe(`save /cache/buildcache/shop-amd64 ${key}`)
  })

  it('does not save again a key it restored exactly', async () => {
    const { dir, config } = app('local')
    const probe = fakeService(true)
    const first = LocalBuildCache.forRun(config, dir, '/cache', true, memoryLogger(), probe.service)!
    await first.restore()
    const key = probe.calls[0]!.split(' ')[2]!
    const { service, calls } = fakeService(true, { [key]: key })
    const c = LocalBuildCache.forRun(config, dir, '/cache', true, memoryLogger(), service)!
    await c.restore()
    await c.save({ dir: '/cache/buildcache/shop-amd64', nextDir: '', key, restoreKeys: [] })
    expect(calls.filter((x) => x.startsWith('save'))).toEqual([])
  })

  it('says so and builds without a cache where the cache service is not available', async () => {
    const { dir, config } = app('local')
    const log = memoryLogger()
    const { service, calls } = fakeService(false)
    const c = LocalBuildCache.forRun(config, dir, '/cache', true, log, service)!
    await c.restore()
    await c.save({ dir: '/d', nextDir: '', key: 'k', restoreKeys: [] })
    expect(calls).toEqual([])
    expect(log.lines.join('\n')).toContain('not available here')
  })

  it('only warns when the cache service fails', async () => {
    const { dir, config } = app('local')
    const log = memoryLogger()
    const service: CacheService = { isFeatureAvailable: () => true, restoreCache: () => Promise.reject(new Error('503')), saveCache: () => Promise.reject(new Error('quota')) }
    const c = LocalBuildCache.forRun(config, dir, '/cache', true, log, service)!
    await c.restore()
    await c.save({ dir: '/d', nextDir: '', key: 'k', restoreKeys: [] })
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toEqual([
      'warn: builder.cache local: restoring failed (503); building without it',
      'warn: builder.cache local: saving failed (quota)',
    ])
  })
})
