import { describe, expect, it } from 'vitest'
import { CacheConfigError, localCache, planCache, type CacheContext } from '../../../src/image/cache.js'

const ctx = (extra: Partial<CacheContext> = {}): CacheContext => ({
  service: 'web',
  image: 'acme/app',
  server: 'registry.test:5443',
  arch: ['amd64'],
  dockerfile: 'FROM scratch\n',
  revision: 'a'.repeat(40),
  cacheDir: '/cache',
  env: {},
  localCacheExists: () => false,
  ...extra,
})
const RUNTIME = { ACTIONS_RUNTIME_TOKEN: 'tok-secret', ACTIONS_CACHE_URL: 'https://cache.example/', ACTIONS_RESULTS_URL: 'https://results.example/', ACTIONS_CACHE_SERVICE_V2: 'true', UNRELATED: 'x' }

describe('planCache', () => {
  it('no cache: nothing', () => {
    expect(planCache(undefined, ctx())).toEqual({ from: [], to: [], env: {}, notes: [], exports: false })
  })

  it.each([
    [{ type: 'registry' as const }, ctx(), 'registry.test:5443/acme/app-build-cache', ''],
    [{ type: 'registry' as const, image: 'acme/cache', options: 'mode=max' }, ctx(), 'registry.test:5443/acme/cache', ',mode=max'],
    [{ type: 'registry' as const }, ctx({ server: undefined }), 'acme/app-build-cache', ''],
  ])('registry %j → ref in the same registry', (cache, context, ref, extra) => {
    const plan = planCache(cache, context)
    expect(plan.from).toEqual([`type=registry,ref=${ref}`])
    expect(plan.to).toEqual([`type=registry,ref=${ref}${extra}`])
    expect(plan.exports).toBe(true)
  })

  it('gha: the runtime variables go to the environment, never to argv; scope per service', () => {
    const plan = planCache({ type: 'gha', options: 'mode=max' }, ctx({ env: RUNTIME }))
    expect(plan.from).toEqual(['type=gha,scope=web'])
    expect(plan.to).toEqual(['type=gha,mode=max,scope=web'])
    expect(plan.env).toEqual({ ACTIONS_RUNTIME_TOKEN: 'tok-secret', ACTIONS_CACHE_URL: 'https://cache.example/', ACTIONS_RESULTS_URL: 'https://results.example/', ACTIONS_CACHE_SERVICE_V2: 'true' })
    expect([...plan.from, ...plan.to].join(' ')).not.toContain('tok-secret')
  })

  it('gha with only the v2 results URL (the new cache service) still works', () => {
    const plan = planCache({ type: 'gha' }, ctx({ env: { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://r/' } }))
    expect(plan.exports).toBe(true)
    expect(plan.env).toEqual({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://r/' })
  })

  it('gha keeps a scope the user chose', () => {
    expect(planCache({ type: 'gha', options: 'scope=mine,timeout=5m' }, ctx({ env: RUNTIME })).from).toEqual(['type=gha,scope=mine,timeout=5m'])
  })

  it('gha outside the Actions runtime: no cache, and a note saying why', () => {
    const plan = planCache({ type: 'gha' }, ctx({ env: {} }))
    expect(plan).toMatchObject({ from: [], to: [], exports: false })
    expect(plan.notes[0]).toMatch(/needs the GitHub Actions runtime/)
  })

  it.each(['token=abc', 'url=https://x', 'mode=max,url_v2=https://x'])('refuses credentials in options (%s)', (options) => {
    expect(() => planCache({ type: 'gha', options }, ctx({ env: RUNTIME }))).toThrow(CacheConfigError)
  })

  it('local: reads the dir when it holds a cache, writes a fresh one next to it', () => {
    const local = localCache(ctx())
    const empty = planCache({ type: 'local' }, ctx())
    expect(empty.from).toEqual([])
    expect(empty.to).toEqual([`type=local,dest=${local.nextDir},mode=max`])
    const warm = planCache({ type: 'local' }, ctx({ localCacheExists: (dir) => dir === local.dir }))
    expect(warm.from).toEqual([`type=local,src=${local.dir}`])
    expect(warm.local).toEqual(local)
  })
})

describe('localCache', () => {
  it('is keyed by service, arch, the Dockerfile hash and the commit; its directory by service and arch only', () => {
    const a = localCache(ctx())
    expect(a.dir).toBe('/cache/buildcache/web-amd64')
    // A changed Dockerfile restores an older entry by prefix into the same directory.
    expect(localCache(ctx({ dockerfile: 'FROM busybox\n' })).dir).toBe(a.dir)
    expect(a.key).toMatch(new RegExp(`^cutover-buildcache-web-amd64-[0-9a-f]{16}-${'a'.repeat(40)}$`))
    const hash = a.key.split('-').at(-2)
    // The same Dockerfile's newest entry first, then any.
    expect(a.restoreKeys).toEqual([`cutover-buildcache-web-amd64-${hash}-`, 'cutover-buildcache-web-amd64-'])
    expect(localCache(ctx({ revision: 'b'.repeat(40) })).key).toBe(`cutover-buildcache-web-amd64-${hash}-${'b'.repeat(40)}`)
    expect(localCache(ctx({ revision: 'v1/2 x' })).key).toMatch(/-v1_2_x$/)
    expect(localCache(ctx({ dockerfile: 'FROM busybox\n' })).key).not.toBe(a.key)
    expect(localCache(ctx({ arch: ['amd64', 'arm64'] })).key).toMatch(/^cutover-buildcache-web-amd64\+arm64-/)
    expect(localCache(ctx({ arch: [] })).key).toMatch(/^cutover-buildcache-web-native-/)
    expect(localCache(ctx({ service: 'api' })).dir).not.toBe(a.dir)
  })
})
