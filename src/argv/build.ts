import type { Argv } from './shell-join.js'

/**
 * Image build argv, as data. Secrets appear here by NAME only (`id=NAME,env=NAME`): their
 * values travel in the docker process's environment, never in argv or build args.
 */
export interface ImageBuildArgs {
  /** The docker client to run, e.g. "docker" or "/usr/bin/docker". */
  docker: string
  /** Full references to tag, e.g. ["registry.test/app:abc123", "registry.test/app:latest"]. */
  tags: readonly string[]
  service: string
  /** Path of the Dockerfile (relative to the process's cwd, or absolute). */
  dockerfile: string
  context: string
  target?: string
  args?: Readonly<Record<string, string>>
  secrets?: readonly string[]
  /** e.g. ["linux/amd64", "linux/arm64"]. */
  platforms?: readonly string[]
  cacheFrom?: readonly string[]
  cacheTo?: readonly string[]
}

const flagEach = (flag: string, values: readonly string[] = []): string[] => values.flatMap((v) => [flag, v])

function common(i: ImageBuildArgs): string[] {
  return [
    ...flagEach('--tag', i.tags),
    '--label',
    `service=${i.service}`,
    '--file',
    i.dockerfile,
    ...(i.target ? ['--target', i.target] : []),
    ...flagEach('--build-arg', Object.entries(i.args ?? {}).map(([k, v]) => `${k}=${v}`)),
    ...flagEach('--secret', (i.secrets ?? []).map(secretSpec)),
    ...(i.platforms?.length ? ['--platform', i.platforms.join(',')] : []),
  ]
}

/** `docker buildx build --push`: builds and pushes in one go (what GitHub's runners have). */
export const buildxBuild = (i: ImageBuildArgs & { builder?: string }): Argv => [
  i.docker,
  'buildx',
  'build',
  '--push',
  '--progress=plain',
  ...(i.builder ? ['--builder', i.builder] : []),
  ...common(i),
  ...flagEach('--cache-from', i.cacheFrom),
  ...flagEach('--cache-to', i.cacheTo),
  i.context,
]

/**
 * The fallback without buildx: `docker build`, run with DOCKER_BUILDKIT=1 in its environment
 * (the engine's embedded BuildKit, which understands --secret). It cannot push or export a
 * cache, so the caller pushes each tag after it, and cache comes only from --cache-from images.
 */
export const legacyBuild = (i: ImageBuildArgs): Argv => [i.docker, 'build', '--progress=plain', ...common(i), ...flagEach('--cache-from', i.cacheFrom), i.context]

/**
 * The classic builder (run with DOCKER_BUILDKIT=0), for a client of Docker 23 or newer without
 * buildx: such a client reaches BuildKit only through buildx, so `DOCKER_BUILDKIT=1 docker build`
 * stops with "BuildKit is enabled but the buildx component is missing". The classic builder
 * takes neither --progress nor --secret (the caller refuses builds that need secrets).
 */
export const classicBuild = (i: Omit<ImageBuildArgs, 'secrets' | 'cacheFrom' | 'cacheTo'>): Argv => [i.docker, 'build', ...common({ ...i, secrets: [] }), i.context]

export const push = (docker: string, tag: string): Argv => [docker, 'push', tag]

/** Prints e.g. "Docker version 28.2.2, build e6534b4": the client's own version, no daemon needed. */
export const clientVersion = (docker: string): Argv => [docker, '--version']

/** Exits 0 only when the buildx plugin is installed for this client. */
export const buildxVersion = (docker: string): Argv => [docker, 'buildx', 'version']

/** Without a name: the builder buildx would use now. Output holds a "Driver: <name>" line. */
export const buildxInspect = (docker: string, builder?: string): Argv => [docker, 'buildx', 'inspect', ...(builder ? [builder] : [])]

/**
 * Starts `builder` if it is not running (a docker-container builder starts its BuildKit
 * container) and exits non-zero when it cannot start. `buildx create` alone succeeds even for a
 * builder that can never start, so this is the check that it can.
 */
export const buildxBootstrap = (docker: string, builder: string): Argv => [docker, 'buildx', 'inspect', '--bootstrap', builder]

/**
 * A docker-container builder, for cache export (the engine's own `docker` driver cannot export
 * a cache). Not `--use`: the user's default builder stays as it was.
 */
export const buildxCreateContainer = (docker: string, name: string, buildkitdConfig?: string): Argv => [
  docker,
  'buildx',
  'create',
  '--name',
  name,
  '--driver',
  'docker-container',
  ...(buildkitdConfig ? ['--buildkitd-config', buildkitdConfig] : []),
]

/** `builder.arch` → buildx platforms: "amd64" → "linux/amd64"; a full "os/arch" is kept. */
export const platformsFor = (arch: readonly string[] = []): string[] => arch.map((a) => (a.includes('/') ? a : `linux/${a}`))

/** The value is read from the environment variable of the same name. */
export const secretSpec = (name: string): string => `id=${name},env=${name}`
