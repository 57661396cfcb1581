import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as cache from '@actions/cache'
import { localCache, type LocalCache } from '../build/index.js'
import type { DeployConfig } from '../config/index.js'
import type { Logger } from '../log.js'

/** The cache service calls, injectable so the decisions around them are unit-tested. */
export interface CacheService {
  isFeatureAvailable(): boolean
  restoreCache(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>
  saveCache(paths: string[], key: string): Promise<number>
}

const actionsCache: CacheService = {
  isFeatureAvailable: () => cache.isFeatureAvailable(),
  restoreCache: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
  saveCache: (paths, key) => cache.saveCache(paths, key),
}

/**
 * `builder.cache.type: local` (a cutover addition): BuildKit's local cache directory, restored
 * before the build and saved after it with GitHub's cache service. Failures only warn: a cache
 * makes a build faster, never decides whether it happens.
 */
export class LocalBuildCache {
  private restoredKey: string | undefined

  private constructor(
    private readonly plan: LocalCache,
    private readonly service: CacheService,
    private readonly log: Logger,
  ) {}

  /** Null when the config asks for no local cache, or nothing will be built. */
  static forRun(config: DeployConfig, appDir: string, cacheDir: string, building: boolean, log: Logger, service: CacheService = actionsCache): LocalBuildCache | null {
    if (!building || config.builder.cache?.type !== 'local') return null
    let dockerfile: Buffer | string = ''
    try {
      dockerfile = readFileSync(join(appDir, config.builder.dockerfile))
    } catch {
      // The build names a missing Dockerfile itself; the key then just misses.
    }
    return new LocalBuildCache(localCache({ service: config.service, arch: config.builder.arch, dockerfile, cacheDir }), service, log)
  }

  async restore(): Promise<void> {
    if (!this.service.isFeatureAvailable()) {
      this.log.info('builder.cache local: the Actions cache service is not available here; building without restoring a cache')
      return
    }
    try {
      this.restoredKey = await this.service.restoreCache([this.plan.dir], this.plan.key, this.plan.restoreKeys)
      this.log.info(this.restoredKey ? `builder.cache local: restored ${this.restoredKey}` : `builder.cache local: no cache yet for ${this.plan.key}`)
    } catch (e) {
      this.log.warn(`builder.cache local: restoring failed (${e instanceof Error ? e.message : String(e)}); building without it`)
    }
  }

  /** After a successful build: save what it exported, unless that exact key was restored. */
  async save(built: LocalCache | undefined): Promise<void> {
    if (!built || !this.service.isFeatureAvailable()) return
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
