import { existsSync } from 'node:fs'
import { readFile, rename, rm } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { Argv } from '../argv/shell-join.js'
import * as build from '../argv/build.js'
import type { Logger } from '../log.js'
import { redact } from '../secrets/redact.js'
import { localCache, planCache, type CacheContext, type CachePlan, type LocalCache } from './cache.js'
import { imageRepository } from '../registry/image-ref.js'
import { execLocal, type LocalExec } from '../local-exec.js'
import type { BuildInput } from './types.js'

export class BuildError extends Error {
  override name = 'BuildError'
}

/**
 * - buildx: `docker buildx build --push`;
 * - legacy: `DOCKER_BUILDKIT=1 docker build` (the engine's BuildKit, through a client older than
 *   Docker 23) and `docker push`;
 * - classic: the classic builder and `docker push`, for a Docker 23+ client without buildx, which
 *   cannot reach BuildKit at all.
 */
export type BuildPath = 'buildx' | 'legacy' | 'classic'

export interface ImageBuildRequest {
  input: BuildInput
  version: string
  /** Where builder.context and builder.dockerfile are resolved: the clone's app dir, or the app dir. */
  buildDir: string
  /** For messages: "the clone of <sha>" or "the working tree". */
  buildDirLabel: string
  /** The commit built, when there is one; it keys the local build cache (default: the version). */
  commit?: string
}

export interface ImageBuilderOptions {
  log: Logger
  /** cutover's own directory (local build caches live under it). */
  cacheDir: string
  exec?: LocalExec
  /** The docker client for the buildx path. Default "docker". */
  docker?: string
  /** The client for the fallback path, when it differs (here: Debian's /usr/bin/docker 20.10). */
  legacyDocker?: string
  /** Build with this buildx builder (e.g. a `remote` one) instead of choosing one. */
  buildxBuilder?: string
  /** Name of the docker-container builder cutover creates when cache export needs one. */
  containerBuilderName?: string
  /** The process environment (GitHub Actions runtime variables for gha cache). */
  env?: Readonly<Record<string, string | undefined>>
  timeoutMs?: number
  /** Stops a running build (and its push): the run no longer needs the image, e.g. the CI gate failed. */
  signal?: AbortSignal
  /**
   * `builder.cache type: local`: called once a build really runs (the registry lacks the image)
   * through buildx, before the cache directory is looked at. The Action restores the directory
   * from GitHub's cache service here, so a run that builds nothing downloads nothing.
   */
  restoreLocalCache?: (cache: LocalCache, log: Logger) => Promise<void>
}

export interface ImageBuildResult {
  path: BuildPath
  tags: string[]
  /** The buildx builder used, when not the current one. */
  builder?: string
  localCache?: LocalCache
  /** Which path ran and what was left out, for the run's output. */
  notes: string[]
}

const EXPORTING_DRIVERS = new Set(['docker-container', 'remote', 'kubernetes', 'cloud'])
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const SHOWN_OUTPUT_LINES = 25

/** Build `image:version` (and `:latest`) and push it; buildx when installed, else the fallback. */
export async function buildAndPushImage(request: ImageBuildRequest, options: ImageBuilderOptions): Promise<ImageBuildResult> {
  const { input, version, buildDir } = request
  const { builder } = input
  const exec = options.exec ?? execLocal
  const docker = options.docker ?? 'docker'
  const dockerfileRel = builder.dockerfile ?? 'Dockerfile'
  const dockerfile = resolve(buildDir, dockerfileRel)
  const context = resolve(buildDir, builder.context ?? '.')
  const dockerfileBytes = await readFile(dockerfile).catch(() => {
    throw new BuildError(`builder.dockerfile: ${dockerfileRel} is not in ${request.buildDirLabel} (${buildDir}). Commit it, or fix builder.dockerfile (relative to the app directory).`)
  })
  const secretEnv = secretEnvironment(input)
  const repository = imageRepository(input.registry, input.image.name)
  const tags = [`${repository}:${version}`, ...(input.pushLatest === false ? [] : [`${repository}:latest`])]
  const arch = builder.arch ?? []
  const cacheContext: CacheContext = {
    service: input.service,
    image: input.image.name,
    server: input.registry.server,
    arch,
    dockerfile: dockerfileBytes,
    revision: request.commit ?? version,
    cacheDir: options.cacheDir,
    env: options.env ?? process.env,
    localCacheExists: (dir) => existsSync(join(dir, 'index.json')),
  }
  const buildx = await tryBuildx(exec, docker)
  // Only buildx reads a local cache; the restore must come before the plan looks for the directory.
  if (buildx && builder.cache?.type === 'local' && options.restoreLocalCache) await options.restoreLocalCache(localCache(cacheContext), options.log)
  const cache = planCache(builder.cache, cacheContext)
  const notes = [...cache.notes]
  const common = {
    tags,
    service: input.service,
    dockerfile: relative(buildDir, dockerfile) || dockerfile,
    context: relative(buildDir, context) || '.',
    target: builder.target,
    args: builder.args,
    secrets: builder.secrets,
    platforms: build.platformsFor(arch),
  }
  const secrets = [...Object.values(input.secretValues ?? {}), ...(input.registry.password ? [input.registry.password] : [])]
  const run = async (argv: Argv, env: Record<string, string>, what: string): Promise<void> => {
    const tail: string[] = []
    const result = await exec(argv, {
      cwd: buildDir,
      env,
      timeoutMs: options.timeoutMs ?? 60 * 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
      onLine: (line) => {
        tail.push(line)
        if (tail.length > SHOWN_OUTPUT_LINES) tail.shift()
        options.log.info(redact(line, secrets))
      },
    })
    if (result.code !== 0) {
      throw new BuildError(`${what} failed (\`${argv.slice(0, 3).join(' ')} …\` exited ${result.code}). Last output:\n${redact(tail.join('\n'), secrets)}`)
    }
  }

  if (buildx) {
    const builderName = options.buildxBuilder ?? (cache.exports ? await cacheCapableBuilder(exec, docker, options, notes) : undefined)
    try {
      await run(build.buildxBuild({ docker, builder: builderName, ...common, cacheFrom: cache.from, cacheTo: cache.to }), { ...secretEnv, ...cache.env }, `Building ${tags[0]}`)
    } catch (e) {
      if (cache.local) await rm(cache.local.nextDir, { recursive: true, force: true })
      throw e
    }
    if (cache.local) await replaceLocalCache(cache.local)
    notes.unshift(`Built and pushed with docker buildx${builderName ? ` (builder ${builderName})` : ''}.`)
    return { path: 'buildx', tags, notes, ...(builderName ? { builder: builderName } : {}), ...(cache.local ? { localCache: cache.local } : {}) }
  }

  const legacy = options.legacyDocker ?? docker
  if (common.platforms.length > 1) {
    throw new BuildError(`builder.arch lists ${common.platforms.length} architectures, which needs docker buildx, and buildx is not installed for ${docker}. Install the buildx plugin, or build one arch.`)
  }
  const client = await clientVersion(exec, legacy)
  if (client && Number(client.split('.')[0]) >= 23) {
    const how = `${legacy} (Docker ${client}) reaches BuildKit only through buildx, which is not installed for it`
    if (builder.secrets?.length) throw new BuildError(`builder.secrets needs BuildKit, and ${how}. Fix: install the buildx plugin (https://docs.docker.com/go/buildx/).`)
    if (builder.cache) notes.push(`builder.cache needs BuildKit, and ${how}; built without a cache.`)
    await run(build.classicBuild({ docker: legacy, ...common }), { DOCKER_BUILDKIT: '0' }, `Building ${tags[0]}`)
    for (const tag of tags) await run(build.push(legacy, tag), {}, `Pushing ${tag}`)
    notes.unshift(`docker buildx is not installed for ${docker}, and ${how}, so built with the classic builder (DOCKER_BUILDKIT=0 ${legacy} build) and pushed with ${legacy} push.`)
    return { path: 'classic', tags, notes }
  }
  const fallback = legacyCache(builder.cache?.type, cache, repository, notes)
  await run(build.legacyBuild({ docker: legacy, ...common, args: { ...builder.args, ...fallback.args }, cacheFrom: fallback.from }), { ...secretEnv, DOCKER_BUILDKIT: '1' }, `Building ${tags[0]}`)
  for (const tag of tags) await run(build.push(legacy, tag), {}, `Pushing ${tag}`)
  notes.unshift(`docker buildx is not installed for ${docker}, so built with DOCKER_BUILDKIT=1 ${legacy} build and pushed with ${legacy} push.`)
  return { path: 'legacy', tags, notes }
}

/** The client's version ("28.2.2"), or undefined when it does not say (then BuildKit is assumed). */
async function clientVersion(exec: LocalExec, docker: string): Promise<string | undefined> {
  try {
    const r = await exec(build.clientVersion(docker), { timeoutMs: 30_000 })
    return r.code === 0 ? /Docker version (\d+\.\d+(?:\.\d+)?)/.exec(r.stdout)?.[1] : undefined
  } catch {
    return undefined
  }
}

/** True when the buildx plugin answers; never throws (a missing docker is "no buildx" too). */
export async function tryBuildx(exec: LocalExec, docker: string): Promise<boolean> {
  try {
    return (await exec(build.buildxVersion(docker), { timeoutMs: 30_000 })).code === 0
  } catch {
    return false
  }
}

/**
 * The engine's own `docker` driver cannot export a cache. When the current builder uses it,
 * build with a docker-container builder of cutover's own (created once, then reused), as
 * docker/setup-buildx-action does on GitHub's runners.
 */
async function cacheCapableBuilder(exec: LocalExec, docker: string, options: ImageBuilderOptions, notes: string[]): Promise<string | undefined> {
  const current = await exec(build.buildxInspect(docker), { timeoutMs: 60_000 })
  // `inspect` exits 0 even when the default builder is broken (no engine); then "Driver:" is
  // empty. Only a driver known to export a cache keeps the current builder.
  const driver = /^Driver:[ \t]*(\S*)/m.exec(current.stdout)?.[1] ?? ''
  if (current.code === 0 && EXPORTING_DRIVERS.has(driver)) return undefined
  const name = options.containerBuilderName ?? 'cutover'
  const why = `builder.cache needs a buildx builder that can export a cache, and the current builder ${driver ? `uses the ${driver} driver, which cannot` : 'does not answer'}`
  const fix = 'Fix: remove builder.cache; or make a builder that can export a cache current (`docker buildx use <name>`, e.g. a remote BuildKit); or let the docker-container driver start here (it runs the moby/buildkit image with --privileged).'
  if ((await exec(build.buildxInspect(docker, name), { timeoutMs: 60_000 })).code !== 0) {
    const created = await exec(build.buildxCreateContainer(docker, name), { timeoutMs: 5 * 60_000 })
    if (created.code !== 0) throw new BuildError(`${why}; creating the docker-container builder "${name}" failed: ${lastLines(created)}. ${fix}`)
  }
  // `buildx create` succeeds even for a builder that can never start (no --privileged, no way
  // to pull moby/buildkit): start it now, so that failure is named here, not mid-build.
  const started = await exec(build.buildxBootstrap(docker, name), { timeoutMs: 5 * 60_000 })
  if (started.code !== 0) throw new BuildError(`${why}; cutover's docker-container builder "${name}" does not start: ${lastLines(started)}. ${fix}`)
  notes.push(`The current buildx builder ${driver ? `uses the ${driver} driver, which cannot export a cache` : 'does not answer'}; used the docker-container builder "${name}".`)
  return name
}

const lastLines = (result: { stdout: string; stderr: string }): string =>
  (result.stderr.trim() || result.stdout.trim()).split('\n').map((l) => l.trim()).filter((l) => l && !/^-+$/.test(l)).slice(-2).join(' / ') || '(no output)'

/** What the fallback can do: import an inline cache from the last pushed image, nothing more. */
function legacyCache(type: string | undefined, cache: CachePlan, repository: string, notes: string[]): { from: string[]; args: Record<string, string> } {
  if (type === 'registry') {
    notes.push(`Without buildx, builder.cache type registry falls back to an inline cache read from ${repository}:latest.`)
    return { from: [`${repository}:latest`], args: { BUILDKIT_INLINE_CACHE: '1' } }
  }
  if (type && cache.exports) notes.push(`builder.cache type ${type} needs docker buildx; built without a cache.`)
  return { from: [], args: {} }
}

async function replaceLocalCache(local: LocalCache): Promise<void> {
  if (!existsSync(join(local.nextDir, 'index.json'))) return
  await rm(local.dir, { recursive: true, force: true })
  await rename(local.nextDir, local.dir)
}

function secretEnvironment(input: BuildInput): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of input.builder.secrets ?? []) {
    if (!ENV_NAME.test(name)) throw new BuildError(`builder.secrets: '${name}' is not a valid secret name; use letters, digits and '_' (it is passed as an environment variable).`)
    const value = input.secretValues?.[name]
    if (value === undefined) throw new BuildError(`builder.secrets: ${name} has no value. Fix: define it in .kamal/secrets, or set the ${name} environment variable.`)
    env[name] = value
  }
  return env
}
