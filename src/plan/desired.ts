import type { DockerOptionValue } from '../argv/docker.js'
import { clearValueProblem, envKeyProblem, EnvError, renderEnvFile } from '../argv/env-file.js'
import { CONTAINER_NAME_PATTERN, containerName, lockDirectory, pendingDirectory, TAG_PATTERN, type AppRef } from '../argv/names.js'
import type { ObserveQuery } from '../argv/observe.js'
import type { ProxyBoot, ProxyRoute } from '../argv/proxy.js'

/**
 * The desired state of one role on one host: the planner's whole input besides the observation.
 * The config layer maps `config/deploy.yml` (+ destination, secrets, CLI inputs) onto it; the
 * planner never reads config. Field comments name the Kamal key each comes from.
 */
export interface DesiredRole extends AppRef {
  /** The host as configured (`servers:`); becomes KAMAL_HOST and the container's hostname. */
  host: string
  /** Kamal `image:` with the registry server in front, e.g. `registry.example.com/me/app`. */
  repository: string
  /** The version being deployed: the image tag, and part of the container name. */
  version: string
  /**
   * Content identity of `repository:version` (`sha256:…`), resolved once per run: the registry's
   * manifest digest (`Docker-Content-Digest`) or the local image id. The local image counts as
   * present when its id or one of its RepoDigests matches; it is part of the settings digest.
   */
  imageId: string
  /** Kamal `registry:`; null = pull without logging in. The password only ever goes to stdin. */
  registry: { server: string; username: string; password: string } | null
  /** Kamal `env.clear` (merged with the role's and tags') and `env.secret` resolved to values. */
  env: { clear: Readonly<Record<string, string>>; secret: Readonly<Record<string, string>> }
  /** Kamal `volumes:`, as `host:container[:opts]`. */
  volumes: readonly string[]
  /** Kamal `labels:` (global merged with the role's). `service`/`role`/`destination` are ours. */
  labels: Readonly<Record<string, string>>
  /** Kamal role `options:`; `restart` sets the restart policy (default `unless-stopped`). */
  options: Readonly<Record<string, DockerOptionValue>>
  /** Kamal `logging:`; null = Kamal's default, `--log-opt max-size=10m`. */
  logging: { driver: string | null; options: Readonly<Record<string, string>> } | null
  /** Kamal role `cmd:`, already split into words (no shell in between). null = image default. */
  cmd: readonly string[] | null
  /** Kamal `proxy:` for this role; null for roles without the proxy (e.g. workers). */
  proxy: { route: ProxyRoute } | null
  /**
   * How to boot kamal-proxy on a host that lacks it. Not from the config: always
   * DEFAULT_PROXY_BOOT (Kamal's `proxy.run` is read but not acted on; the config warns so).
   */
  proxyBoot: ProxyBoot
  /** Kamal `deploy_timeout` (default 30): how long a new container has to become healthy. */
  deployTimeoutS: number
  /** Kamal `drain_timeout` (default 30): how long in-flight requests get on the old container. */
  drainTimeoutS: number
  /** Kamal `stop_timeout`; null = Docker's default. (Kamal falls back to drain_timeout for roles
   * without the proxy; the config mapping decides.) */
  stopTimeoutS: number | null
  /**
   * cutover `x-cutover.roles.<role>.strategy`: `blue-green` starts the new container alongside the
   * old one and stops the old one last; `recreate` stops the old one before the new one runs (see
   * plan/strategy.ts). Not part of the settings digest: changing it alone redeploys nothing.
   */
  strategy: 'blue-green' | 'recreate'
  /** Kamal `retain_containers` (default 5): stopped containers kept per role, for rollback. */
  retain: number
  /** `x-cutover/verify/window`: seconds to watch the new container after the switch; 0 or absent = no watch. */
  verifyWindowS?: number
  /**
   * `cutover app boot`: boot a fresh container of this version even where one with the desired
   * digest already serves, on the same zero-downtime path (it gets its own target alias, so the
   * proxy switches from the old container to it and drains the old one).
   */
  reboot?: boolean
  /** Set for a dry run before the image exists: the commit it will be built from (the diff's image line). */
  unbuiltFrom?: string
  /** This run, not the settings: left out of the digest. */
  run: {
    /** Who deploys (audit log, lock). */
    performer: string
    /** Now, as UTC ISO 8601 (the planner has no clock). */
    at: string
    /** Random lowercase hex, ≥ 16 chars: `_replaced_<hex>` names and the container hostname. */
    nonce: string
  }
}

export class DesiredStateError extends Error {
  override name = 'DesiredStateError'
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`)
  }
}

export const imageRef = (d: Pick<DesiredRole, 'repository' | 'version'>): string => `${d.repository}:${d.version}`

/**
 * What to observe on a host for this app (every role of the service shares it): a full look, or
 * the first look that only tells whether there is anything to do (see observe.ts). The one place
 * a query is built: deploy, `versions` and `remove` all observe through it.
 */
export const observeQueryFor = (d: Pick<DesiredRole, 'service' | 'destination' | 'repository'>, look: ObserveQuery['look'] = 'full'): ObserveQuery =>
  look === 'full' ? { look, repository: d.repository, lockDir: lockDirectory(d), pendingDir: pendingDirectory(d) } : { look, lockDir: lockDirectory(d), pendingDir: pendingDirectory(d) }

/** Kamal's extra env for every app container; user env with the same key wins (as in Kamal). */
export function kamalEnv(d: DesiredRole): Record<string, string> {
  return {
    KAMAL_CONTAINER_NAME: containerName(d, d.version),
    KAMAL_VERSION: d.version,
    KAMAL_HOST: d.host,
    ...(d.destination ? { KAMAL_DESTINATION: d.destination } : {}),
  }
}

/**
 * Check what the planner relies on and render the secret env file. Throws DesiredStateError (or
 * EnvError) naming the key path; values never appear in messages.
 */
export function validateDesired(d: DesiredRole): { envFile: string } {
  if (!TAG_PATTERN.test(d.version)) {
    throw new DesiredStateError('version', `${JSON.stringify(d.version)} is not a valid image tag (letters, digits, "_", "." and "-"; at most 128; not starting with "." or "-")`)
  }
  const name = containerName(d, d.version)
  if (!CONTAINER_NAME_PATTERN.test(name)) {
    throw new DesiredStateError('service', `container name ${JSON.stringify(name)} is not valid for Docker (letters, digits, "_", "." and "-")`)
  }
  if (!d.imageId.trim()) throw new DesiredStateError('imageId', 'the image content id is empty; resolve repository:version first')
  if (!/^[0-9a-f]{16,}$/.test(d.run.nonce)) throw new DesiredStateError('run.nonce', 'must be at least 16 lowercase hex characters')
  if (!Number.isInteger(d.retain) || d.retain < 1) throw new DesiredStateError('retain_containers', `must be a whole number ≥ 1, got ${d.retain}`)
  for (const [key, value] of Object.entries(d.env.clear)) {
    const problem = envKeyProblem(key) ?? clearValueProblem(value)
    if (problem) throw new EnvError(`env.clear.${key}`, problem)
  }
  for (const key of Object.keys(d.env.secret)) {
    if (key in d.env.clear) throw new EnvError(`env.secret.${key}`, 'the key is also in env.clear; keep it in one place')
  }
  return { envFile: renderEnvFile(d.env.secret, 'env.secret') }
}
