import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { imageRepository } from '../registry/image-ref.js'
import type { CacheInput } from './types.js'

export class CacheConfigError extends Error {
  override name = 'CacheConfigError'
}

/**
 * The GitHub Actions runtime variables buildx reads for `type=gha` (it adds token/url/url_v2
 * to the cache attributes itself, see buildx build/opt.go addGithubToken). A JavaScript
 * action's process has them; a `run:` step does not, which is why docker/build-push-action
 * can use gha cache where a plain shell step cannot. We hand them to the docker process's
 * environment, never to argv: the token is a secret.
 */
export const GHA_CACHE_ENV = ['ACTIONS_CACHE_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2'] as const

/** `type: local`: a directory on this machine, saved and restored with @actions/cache in CI. */
export interface LocalCache {
  /** Read from here (`type=local,src=`), when it holds a cache. */
  dir: string
  /**
   * Written here (`type=local,dest=`), then moved over `dir` after a successful build:
   * BuildKit's local exporter only adds blobs, so writing over the old dir grows it forever.
   */
  nextDir: string
  /**
   * @actions/cache key, and the restore prefixes tried when it misses (same Dockerfile first,
   * then any). Entries are immutable, so the key names the commit built: a key fixed per
   * Dockerfile would be saved once and then restored, ever staler, for every later commit.
   */
  key: string
  restoreKeys: string[]
}

export interface CachePlan {
  from: string[]
  to: string[]
  /** Names and values to add to the docker process's environment (gha runtime variables). */
  env: Record<string, string>
  local?: LocalCache
  /** What the user should know (e.g. "gha cache needs the Actions runtime; building without"). */
  notes: string[]
  /** True when the plan exports a cache, which the `docker` buildx driver cannot do. */
  exports: boolean
}

export interface CacheContext {
  service: string
  /** `image` from deploy.yml, e.g. "acme/app". */
  image: string
  /** `registry.server`, to place a registry cache image in the same registry. */
  server?: string
  arch: readonly string[]
  /** Bytes of the Dockerfile, hashed into the local cache's key. */
  dockerfile: string | Buffer
  /** What is built: the commit (or, outside git, the version); ends the local cache's key. */
  revision: string
  /** Where cutover keeps its directories (clones, local caches). */
  cacheDir: string
  /** The process environment, for the gha runtime variables. */
  env: Readonly<Record<string, string | undefined>>
  /** Whether `local.dir` holds a cache already (its index.json exists). */
  localCacheExists: (dir: string) => boolean
}

const NONE: CachePlan = { from: [], to: [], env: {}, notes: [], exports: false }

const optionList = (options?: string): string[] => (options ?? '').split(',').map((s) => s.trim()).filter(Boolean)
const hasOption = (options: string[], key: string) => options.some((o) => o.startsWith(`${key}=`))

export function planCache(cache: CacheInput | undefined, ctx: CacheContext): CachePlan {
  if (!cache) return NONE
  const options = optionList(cache.options)
  if (options.some((o) => /^(token|url|url_v2)=/.test(o))) {
    throw new CacheConfigError(`builder.cache.options must not hold token, url or url_v2: cutover passes the GitHub Actions runtime's own values in the environment, so no credential is ever written into deploy.yml or a command line.`)
  }
  switch (cache.type) {
    case 'registry': {
      // Kamal's default: "<image>-build-cache" in the same registry as the image.
      const ref = imageRepository({ server: ctx.server }, cache.image ?? `${ctx.image}-build-cache`)
      return { ...NONE, from: [`type=registry,ref=${ref}`], to: [['type=registry', `ref=${ref}`, ...options].join(',')], exports: true }
    }
    case 'gha': {
      const env: Record<string, string> = {}
      for (const name of GHA_CACHE_ENV) {
        const value = ctx.env[name]
        if (value) env[name] = value
      }
      if (!env.ACTIONS_RUNTIME_TOKEN || !(env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL)) {
        return { ...NONE, notes: ['builder.cache type gha needs the GitHub Actions runtime (ACTIONS_RUNTIME_TOKEN and ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL), which only a job step running the cutover action has; building without a cache.'] }
      }
      // Scope per service, so two apps built in one repository do not overwrite each other's
      // cache index (BuildKit's default scope is the same "buildkit" for every build).
      const scoped = hasOption(options, 'scope') ? options : [...options, `scope=${ctx.service}`]
      const readable = scoped.filter((o) => /^(scope|timeout)=/.test(o))
      return { ...NONE, from: [['type=gha', ...readable].join(',')], to: [['type=gha', ...scoped].join(',')], env, exports: true }
    }
    case 'local': {
      const local = localCache(ctx)
      const from = ctx.localCacheExists(local.dir) ? [`type=local,src=${local.dir}`] : []
      const toOptions = hasOption(options, 'mode') ? options : ['mode=max', ...options]
      return { ...NONE, from, to: [['type=local', `dest=${local.nextDir}`, ...toOptions].join(',')], local, exports: true }
    }
  }
}

/** The local cache directory and key: keyed by service, arch, the Dockerfile's hash and the revision. */
export function localCache(ctx: Pick<CacheContext, 'service' | 'arch' | 'dockerfile' | 'cacheDir' | 'revision'>): LocalCache {
  const archKey = ctx.arch.length ? ctx.arch.map((a) => a.replace(/\//g, '-')).join('+') : 'native'
  const hash = createHash('sha256').update(ctx.dockerfile).digest('hex').slice(0, 16)
  const service = ctx.service.replace(/[^A-Za-z0-9_.-]/g, '_')
  const prefix = `cutover-buildcache-${service}-${archKey}-`
  // The directory is keyed by service and arch only: @actions/cache ties an entry to its paths,
  // so a cache saved for an older Dockerfile can only be restored (by prefix) into the same path.
  // The Dockerfile's hash and the revision go into the key, where a change makes a new entry.
  const dir = join(ctx.cacheDir, 'buildcache', `${service}-${archKey}`)
  const revision = ctx.revision.replace(/[^A-Za-z0-9_.-]/g, '_')
  return { dir, nextDir: `${dir}.next`, key: `${prefix}${hash}-${revision}`, restoreKeys: [`${prefix}${hash}-`, prefix] }
}
