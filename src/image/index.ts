/**
 * Making the app's image on the machine cutover runs on: a clean clone, the version, the build
 * and its cache, the push. Hosts are never reached from here.
 */
export type { BuildInput, BuilderInput, CacheInput, ImageInput } from './types.js'
export { buildImage, type BuildReport, type BuildRunDeps, type BuildRunRequest } from './pipeline.js'
export { resolveVersion, VersionError, type ResolvedVersion, type VersionRequest } from './version.js'
export { prepareClone, cloneDirFor, CloneError, type CloneRequest } from './clone.js'
export { createGit, type Git, type GitOptions } from './git.js'
export { buildAndPushImage, tryBuildx, BuildError, type BuildPath, type ImageBuildRequest, type ImageBuilderOptions, type ImageBuildResult } from './image-builder.js'
export { planCache, localCache, GHA_CACHE_ENV, CacheConfigError, type CachePlan, type LocalCache } from './cache.js'
export { defaultCacheDir } from './cache-dir.js'
