import { realpath } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { cloneDirFor, prepareClone } from './clone.js'
import { createGit, type Git } from './git.js'
import { imageRepository } from '../registry/image-ref.js'
import { buildAndPushImage, type BuildPath, type ImageBuilderOptions } from './image-builder.js'
import type { LocalCache } from './cache.js'
import { loginLocally } from '../registry/login.js'
import { createRegistryClient, type RegistryClient } from '../registry/client.js'
import type { BuildInput } from './types.js'
import { resolveVersion, type ResolvedVersion } from './version.js'

export interface BuildRunRequest {
  input: BuildInput
  /** The app's directory (holding config/deploy.yml). */
  appDir: string
  /** `--ref` */
  ref?: string
  /** `--version` */
  version?: string
  /** `registry.skip_local`: the credentials are already in this machine's docker config. */
  skipLocalLogin?: boolean
}

export interface BuildRunDeps extends ImageBuilderOptions {
  git?: Git
  /** Default: a client for `input.registry`. */
  registry?: RegistryClient
  /** Awaited once the registry check says the image is built, before the clone (Kamal's pre-build hook); a rejection stops the build. */
  beforeBuild?: (version: string) => Promise<void>
}

export type BuildReport =
  | { status: 'skipped'; version: ResolvedVersion; image: string; notes: string[] }
  | { status: 'built'; version: ResolvedVersion; image: string; path: BuildPath; notes: string[]; localCache?: LocalCache }

/**
 * The whole build step: version → registry check (skip when the image is there) → clean
 * clone (or the working tree) → local login → build and push. `--skip-push` is handled by
 * the caller, which then does not call this at all (as Kamal's `deploy --skip-push`).
 */
export async function buildImage(request: BuildRunRequest, deps: BuildRunDeps): Promise<BuildReport> {
  const { input, appDir } = request
  const { log } = deps
  const git = deps.git ?? createGit(deps.exec ? { exec: deps.exec } : {})
  const version = await resolveVersion(git, { appDir, ref: request.ref, version: request.version, context: input.builder.context })
  for (const warning of version.warnings) log.warn(warning)
  const image = `${imageRepository(input.registry, input.image.name)}:${version.version}`

  if (version.uncommitted) {
    log.info(`${image} is built from uncommitted changes, so it is built even if the registry has that tag.`)
  } else {
    const registry = deps.registry ?? (await createRegistryClient(input.registry))
    if (await registry.hasManifest(input.image.name, version.version)) {
      const note = `${image} is already in the registry; skipping the build.`
      log.info(note)
      return { status: 'skipped', version, image, notes: [note] }
    }
    log.info(`${image} is not in the registry yet; building it.`)
  }

  deps.signal?.throwIfAborted()
  await deps.beforeBuild?.(version.version)
  let buildDir = appDir
  let buildDirLabel = 'the working tree'
  if (version.source === 'clone' && version.repoRoot && version.commit) {
    const cloneDir = cloneDirFor(deps.cacheDir, input.service, version.repoRoot)
    await prepareClone(git, { repoRoot: version.repoRoot, commit: version.commit, cloneDir }, log)
    // git reports the top directory with symlinks resolved; resolve appDir the same way.
    buildDir = join(cloneDir, relative(version.repoRoot, await realpath(appDir)))
    buildDirLabel = `the clone of ${version.commit}`
  }

  deps.signal?.throwIfAborted()
  const notes: string[] = []
  if (request.skipLocalLogin) notes.push('registry.skip_local is set: pushed with the credentials already on this machine.')
  else if (input.registry.username) await loginLocally(input.registry, { ...(deps.exec ? { exec: deps.exec } : {}), ...(deps.docker ? { docker: deps.docker } : {}) })
  else notes.push('registry.username is not set: pushed without logging in.')

  const built = await buildAndPushImage({ input, version: version.version, buildDir, buildDirLabel, ...(version.commit ? { commit: version.commit } : {}) }, deps)
  for (const note of built.notes) log.info(note)
  return { status: 'built', version, image, path: built.path, notes: [...built.notes, ...notes], ...(built.localCache ? { localCache: built.localCache } : {}) }
}
