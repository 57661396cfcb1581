/**
 * The build layer's public surface (issue 5, minus the CI gate): what the engine and the CLI
 * import. Everything here runs on the machine cutover runs on; hosts are reached only through
 * RemoteHost (loginOnHost/logoutOnHost).
 */
export type { BuildInput, BuilderInput, CacheInput, ImageInput, RegistryInput } from './types.js'
export { buildImage, type BuildReport, type BuildRunDeps, type BuildRunRequest } from './pipeline.js'
export { resolveVersion, VersionError, type ResolvedVersion, type VersionRequest } from './version.js'
export { prepareClone, cloneDirFor, CloneError, type CloneRequest } from './clone.js'
export { createGit, GitError, type Git, type GitOptions } from './git.js'
export { buildAndPushImage, tryBuildx, BuildError, type BuildPath, type ImageBuildRequest, type ImageBuilderOptions, type ImageBuildResult } from './image-builder.js'
export { planCache, localCache, GHA_CACHE_ENV, CacheConfigError, type CachePlan, type LocalCache } from './cache.js'
export { createRegistryClient, MANIFEST_MEDIA_TYPES, RegistryError, type RegistryClient, type RegistryClientOptions } from './registry.js'
export type { RegistryFailure } from './registry-http.js'
export { registryTarget, imageRepository, ImageRefError, type RegistryTarget } from './image-ref.js'
export { loginLocally, loginOnHost, logoutLocally, logoutOnHost } from './login.js'
export { execLocal, type LocalExec, type LocalExecOptions } from './local-exec.js'
export { defaultCacheDir } from './cache-dir.js'
