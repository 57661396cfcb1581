import { shellJoin, type Argv } from './shell-join.js'
import { underHostLock } from './host-lock.js'

/**
 * Docker CLI commands as data. Every function returns an argv; `shellJoin` turns it into the
 * string ssh2 sends. No value is pre-quoted here: quoting happens once, in argv.ts.
 */

/** A Docker option value the way Kamal's `options:` map writes them. */
export type DockerOptionValue = string | number | boolean | readonly (string | number)[]

/** Everything that shapes an app container. The settings digest is computed over this. */
export interface RunSpec {
  name: string
  image: string
  network: string
  /** Extra names the container answers to on `network` (kamal-proxy targets one of these). */
  networkAliases: readonly string[]
  restart: string
  /** Clear env (`--env K=V`). Never secrets: those go in `envFile`. */
  env: Readonly<Record<string, string>>
  envFile: string | null
  labels: Readonly<Record<string, string>>
  volumes: readonly string[]
  logging: { driver: string | null; options: Readonly<Record<string, string>> }
  /** Kamal's role `options:` (minus `restart`), e.g. `{ cpus: 2, 'add-host': ['a:1.2.3.4'] }`. */
  options: Readonly<Record<string, DockerOptionValue>>
  cmd: readonly string[]
}

const pairs = (flag: string, map: Readonly<Record<string, string>>): string[] => Object.entries(map).flatMap(([k, v]) => [flag, `${k}=${v}`])

/**
 * Kamal's optionize: `true` → `--key`, a list → the flag repeated, anything else → `--key value`
 * (two words, so a value never merges with the flag).
 */
export function optionize(options: Readonly<Record<string, DockerOptionValue>>): string[] {
  return Object.entries(options).flatMap(([key, value]) => {
    const flag = `--${key}`
    if (value === true) return [flag]
    if (Array.isArray(value)) return value.flatMap((v) => [flag, String(v)])
    return [flag, String(value)]
  })
}

export function run(spec: RunSpec, hostname?: string): Argv {
  const logging = spec.logging.driver || Object.keys(spec.logging.options).length > 0 ? spec.logging : { driver: null, options: { 'max-size': '10m' } }
  return [
    'docker', 'run', '--detach',
    '--restart', spec.restart,
    '--name', spec.name,
    '--network', spec.network,
    ...spec.networkAliases.flatMap((a) => ['--network-alias', a]),
    ...(hostname ? ['--hostname', hostname] : []),
    ...pairs('--env', spec.env),
    ...(spec.envFile ? ['--env-file', spec.envFile] : []),
    ...(logging.driver ? ['--log-driver', logging.driver] : []),
    ...pairs('--log-opt', logging.options),
    ...spec.volumes.flatMap((v) => ['--volume', v]),
    ...pairs('--label', spec.labels),
    ...optionize(spec.options),
    spec.image,
    ...spec.cmd,
  ]
}

export const start = (...containers: string[]): Argv => ['docker', 'start', ...containers]

/** `--time` is omitted when not set, so Docker's own default (10 s) applies. */
export const stop = (containers: readonly string[], timeoutS?: number | null): Argv => [
  'docker', 'stop', ...(timeoutS != null ? ['--time', String(timeoutS)] : []), ...containers,
]

export const rm = (containers: readonly string[], opts: { force?: boolean } = {}): Argv => [
  'docker', 'rm', ...(opts.force ? ['--force'] : []), ...containers,
]

export const rename = (from: string, to: string): Argv => ['docker', 'rename', from, to]

export const pull = (image: string): Argv => ['docker', 'pull', image]

/** `docker tag SOURCE TARGET`: Kamal moves `image:latest` on each host this way after a deploy. */
export const tag = (source: string, target: string): Argv => ['docker', 'tag', source, target]

/**
 * Log in and pull in ONE command, through a private client config made for it and removed after.
 * A `docker login` followed by a separate `docker pull` relies on the host user's shared
 * ~/.docker/config.json between the two: another deploy logging in to another registry at the
 * same moment (the CLI rewrites that file whole, so one login can drop the other's entry), or
 * anything running `docker logout`, makes the pull fail with "no basic auth credentials" (seen
 * on the shared testbed). A private config has no such window, and leaves no credentials on the
 * host. The password comes on stdin; values travel as positional parameters.
 */
const LOGIN_AND_PULL = [
  'set -e',
  'umask 077',
  'cfg=$(mktemp -d)',
  'trap \'rm -rf -- "$cfg"\' EXIT',
  'docker --config "$cfg" login "$1" --username "$2" --password-stdin >/dev/null',
  'docker --config "$cfg" pull "$3"',
].join('\n')
export const loginAndPull = (server: string, username: string, image: string): Argv => ['sh', '-c', LOGIN_AND_PULL, 'cutover-pull', server, username, image]

export const logs = (container: string, tail: number): Argv => ['docker', 'logs', '--tail', String(tail), container]

export const networkCreate = (name: string): Argv => ['docker', 'network', 'create', name]

export const networkInspect = (name: string): Argv => ['docker', 'network', 'inspect', name]

/**
 * Create the network unless it exists, as one command. Observe does not probe the network (a
 * docker CLI run on every deploy); the plan runs this only where no running container shows it.
 * The last inspect covers a concurrent deploy creating it between our inspect and create.
 */
export const ensureNetwork = (name: string): Argv =>
  underHostLock(['sh', '-c', `${shellJoin(networkInspect(name))} >/dev/null 2>&1 || ${shellJoin(networkCreate(name))} || ${shellJoin(networkInspect(name))} >/dev/null`])

/** Full ids of every container on the host, any state. */
export const ps = (): Argv => ['docker', 'ps', '--all', '--quiet', '--no-trunc']

/** Every container on the host, any state, one formatted line each. */
export const psList = (format: string): Argv => ['docker', 'ps', '--all', '--no-trunc', '--format', format]

export const inspectContainers = (format: string, containers: readonly string[]): Argv => ['docker', 'container', 'inspect', '--format', format, ...containers]

/**
 * A repository the way Docker lists and filters it: Docker Hub's `docker.io/` (or the legacy
 * `index.docker.io/`) dropped, and `library/` for official images. `docker image ls
 * docker.io/org/app` matches nothing (checked with the 20.10 and 28.2 clients), since the
 * reference filter is matched against the familiar name.
 */
export function familiarRepository(repository: string): string {
  const hub = /^(?:docker\.io|index\.docker\.io)\/(.+)$/.exec(repository)
  if (!hub) return repository
  const path = hub[1] ?? ''
  const official = /^library\/([^/]+)$/.exec(path)
  return official ? (official[1] ?? path) : path
}

/** Every tag of the repository, one row per tag and registry digest (`--digests`). */
export const listImages = (format: string, repository: string): Argv => ['docker', 'image', 'ls', '--no-trunc', '--digests', '--format', format, familiarRepository(repository)]

export const removeImages = (images: readonly string[]): Argv => ['docker', 'image', 'rm', ...images]

/** Dangling images of this service only (Kamal labels its builds `service=<name>`). */
export const pruneDanglingImages = (service: string): Argv => ['docker', 'image', 'prune', '--force', '--filter', `label=service=${service}`]

/** What a health poll reads: the healthcheck status when the image has one, else the state. */
export const HEALTH_FORMAT = '{{with index .State "Health"}}{{index . "Status"}}{{else}}{{.State.Status}}{{end}}'
export const health = (container: string): Argv => inspectContainers(HEALTH_FORMAT, [container])

/** How a health poll's output reads: keep waiting, ready, or given up on. */
export function interpretHealth(stdout: string): 'ready' | 'waiting' | 'failed' {
  switch (stdout.trim()) {
    case 'running':
    case 'healthy':
      return 'ready'
    case 'starting':
    case 'created':
    case 'restarting':
      return 'waiting'
    default:
      return 'failed'
  }
}
