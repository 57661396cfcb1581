import type { LocalCache } from '../image/index.js'
import type { DeployConfig } from '../config/index.js'
import type { Logger } from '../log.js'

/** The cache service calls, injectable so the decisions around them are unit-tested. */
export interface CacheService {
  isFeatureAvailable(): boolean | Promise<boolean>
  restoreCache(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>
  saveCache(paths: string[], key: string): Promise<number>
}

// Loaded on first use: @actions/cache (with the Azure storage SDK under it) is most of the
// Action's JavaScript, and only a run that builds with `builder.cache.type: local` needs it, so a
// no-op deploy never parses it (the bundler puts it in a chunk of its own).
const loadCache = () => import('@actions/cache')
const actionsCache: CacheService = {
  isFeatureAvailable: async () => (await loadCache()).isFeatureAvailable(),
  restoreCache: async (paths, key, restoreKeys) => (await loadCache()).restoreCache(paths, key, restoreKeys),
  saveCache: async (paths, key) => (await loadCache()).saveCache(paths, key),
}

/**
 * `builder.cache.type: local` (a cutover addition): BuildKit's local cache directory, restored
 * with GitHub's cache service once a build really runs (the build layer calls `restore` after
 * the registry check said "build"), and saved after it. Failures only warn: a cache makes a
 * build faster, never decides whether it happens.
 */
export class LocalBuildCache {
  private restoredKey: string | undefined

  private constructor(
    private readonly service: CacheService,
    private readonly log: Logger,
  ) {}

  /** Null when the config asks for no local cache, or nothing will be built. */
  static forRun(config: DeployConfig, building: boolean, log: Logger, service: CacheService = actionsCache): LocalBuildCache | null {
    if (!building || config.builder.cache?.type !== 'local') return null
    return new LocalBuildCache(service, log)
  }

  /** The build's hook (ImageBuilderOptions.restoreLocalCache): the commit's key, else the newest entry by prefix. Logs into `log` (the build's). */
  async restore(plan: LocalCache, log: Logger = this.log): Promise<void> {
    if (!(await this.service.isFeatureAvailable())) {
      log.info('builder.cache local: the Actions cache service is not available here; building without restoring a cache')
      return
    }
    try {
      this.restoredKey = await this.service.restoreCache([plan.dir], plan.key, plan.restoreKeys)
      log.info(this.restoredKey ? `builder.cache local: restored ${this.restoredKey}` : `builder.cache local: no cache yet for ${plan.key}`)
    } catch (e) {
      log.warn(`builder.cache local: restoring failed (${e instanceof Error ? e.message : String(e)}); building without it`)
    }
  }

  /** After a successful build: save what it exported, unless that exact key was restored. */
  async save(built: LocalCache | undefined): Promise<void> {
    if (!built || !(await this.service.isFeatureAvailable())) return
    if (this.restoredKey === built.key) {
      this.log.info(`builder.cache local: ${built.key} is already saved`)
      return
    }
    try {
      await this.service.saveCache([built.dir], built.key)
      this.log.info(`builder.cache local: saved ${built.key}`)
    } catch (e) {
      this.log.warn(`builder.cache local: saving failed (${e instanceof Error ? e.message : String(e)})`)
    }
  }
}
