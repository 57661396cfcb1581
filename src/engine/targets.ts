import { parse as parseShellWords } from 'shell-quote'
import { TAG_PATTERN } from '../argv/names.js'
import { DEFAULT_PROXY_BOOT, DEFAULT_ROUTE, type ProxyRoute } from '../argv/proxy.js'
import type { DeployConfig, Host, ProxyConfig, RoleConfig } from '../config/index.js'
import { EnvError } from '../argv/env-file.js'
import { ConfigErrors, type ConfigError, hostEnv } from '../config/index.js'
import { DesiredStateError, validateDesired, type DesiredRole } from '../plan/desired.js'
import type { Secrets } from '../secrets/index.js'
import type { HostTarget } from './deploy.js'

/** Who, when and which run: the parts of the desired state that belong to this run, not the settings. */
export interface RunInfo {
  performer: string
  at: string
  nonce: string
}

export interface TargetRequest {
  config: DeployConfig
  secrets: Secrets
  version: string
  /** The registry's content digest of repository:version (resolved once per run). */
  imageId: string
  run: RunInfo
  /** Only these hosts (`--hosts`), as written in the config; empty = all. */
  onlyHosts?: readonly string[]
  /** Only these roles (`--roles`), by name; empty = all. */
  onlyRoles?: readonly string[] | undefined
  /** `cutover app boot`: see DesiredRole.reboot. */
  reboot?: boolean | undefined
}

/** Why `version` cannot be an image tag (and so a version), or null. */
export function versionProblem(version: string): string | null {
  if (TAG_PATTERN.test(version)) return null
  return `${JSON.stringify(version)} is not a valid image tag (letters, digits, "_", "." and "-"; at most 128; not starting with "." or "-")`
}

/**
 * What hostTargets refuses without knowing the image (cmd shell syntax, a secret Docker cannot
 * carry, a `--hosts` typo, a bad version), checked before the gate waits and before anything is
 * built and pushed: such a mistake must not cost a build. The image's digest is not known yet, so
 * a placeholder stands in, as does a version still to be resolved (the commit's SHA).
 */
export function checkTargets(req: Pick<TargetRequest, 'config' | 'secrets' | 'onlyHosts' | 'onlyRoles'> & { version?: string | undefined }): void {
  hostTargets({
    config: req.config,
    secrets: req.secrets,
    version: req.version ?? '0'.repeat(40),
    imageId: `sha256:${'0'.repeat(64)}`,
    run: { performer: 'cutover', at: new Date(0).toISOString(), nonce: '0'.repeat(16) },
    ...(req.onlyHosts ? { onlyHosts: req.onlyHosts } : {}),
    onlyRoles: req.onlyRoles,
  })
}

/**
 * Config → what each host should run: every role on every host it lists, the primary role first
 * on each host (its health gates the switch, as Kamal's barrier intends).
 */
export function hostTargets(req: TargetRequest): HostTarget[] {
  const { config } = req
  // The version is a flag or input, not a config key: refused as such, not as a config error.
  const bad = versionProblem(req.version)
  if (bad) throw new Error(`version ${bad}`)
  const unknownRoles = (req.onlyRoles ?? []).filter((r) => !config.roles.some((role) => role.name === r))
  if (unknownRoles.length) throw new Error(`--roles: ${unknownRoles.join(', ')} ${unknownRoles.length === 1 ? 'is' : 'are'} not a role of the config's servers (roles: ${config.roles.map((r) => r.name).join(', ')})`)
  const wanted = (role: RoleConfig): boolean => !req.onlyRoles?.length || req.onlyRoles.includes(role.name)
  const roles = [...config.roles].filter(wanted).sort((a, b) => Number(b.primary) - Number(a.primary))
  const byHost = new Map<string, DesiredRole[]>()
  const errors: ConfigError[] = []
  for (const role of roles) {
    for (const h of role.hosts) {
      if (req.onlyHosts?.length && !req.onlyHosts.includes(h.host)) continue
      const desired = desiredRole(req, role, h)
      // What Docker cannot carry (a lone surrogate, a 64 KiB line) is a config error: caught here,
      // before any host is reached, with the key path and never the value.
      const problem = settingsProblem(desired, config.files[0] ?? 'config/deploy.yml')
      if (problem && !errors.some((e) => e.keyPath === problem.keyPath)) errors.push(problem)
      const list = byHost.get(h.host) ?? []
      list.push(desired)
      byHost.set(h.host, list)
    }
  }
  if (errors.length > 0) throw new ConfigErrors(errors)
  if (req.onlyHosts?.length) {
    const unknown = req.onlyHosts.filter((h) => !byHost.has(h))
    if (unknown.length) throw new Error(`--hosts: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the config's servers; expected hosts as written there`)
  }
  return [...byHost].map(([host, list]) => ({ host, roles: list }))
}

function settingsProblem(d: DesiredRole, file: string): ConfigError | null {
  try {
    validateDesired(d)
    return null
  } catch (e) {
    if (!(e instanceof EnvError) && !(e instanceof DesiredStateError)) throw e
    const [where, ...rest] = e.message.split(': ')
    return { file, keyPath: e.path.replace(/\./g, '/'), message: rest.join(': ') || (where ?? e.message), expected: 'a value Docker can pass to the container' }
  }
}

/** The app as hosts know it (its service and destination) and its repository: what observe and the lock need. */
export const configApp = (config: Pick<DeployConfig, 'service' | 'destination' | 'repository'>): { service: string; destination: string | null; repository: string } => ({
  service: config.service,
  destination: config.destination ?? null,
  repository: config.repository,
})

/** Every host in the config, once each, in the order the roles list them (as written there: their identity). */
export function configHosts(config: Pick<DeployConfig, 'roles'>): Host[] {
  const seen = new Map<string, Host>()
  for (const role of config.roles) for (const h of role.hosts) if (!seen.has(h.host)) seen.set(h.host, h)
  return [...seen.values()]
}

/** Kamal keeps the deploy lock on the primary role's first host. */
export function primaryHost(config: DeployConfig): string {
  const primary = config.roles.find((r) => r.primary) ?? config.roles[0]
  const host = primary?.hosts[0]?.host
  if (!host) throw new Error('the config lists no hosts to deploy to')
  return host
}

function desiredRole(req: TargetRequest, role: RoleConfig, h: Host): DesiredRole {
  const { config, secrets } = req
  const host = h.host
  // env.tags: this host's tags over the role's env (Kamal's per-host env), so the digest is per host.
  const env = hostEnv(role, h, config.envTags ?? {})
  const registry = registryLogin(config, secrets)
  const hasLogging = role.logging.driver !== undefined || Object.keys(role.logging.options).length > 0
  return {
    service: config.service,
    role: role.name,
    destination: config.destination ?? null,
    host,
    repository: config.repository,
    version: req.version,
    imageId: req.imageId,
    registry,
    env: { clear: env.clear, secret: secrets.envValues(env.secret) },
    volumes: config.volumes,
    labels: role.labels,
    options: { ...role.options, restart: role.restartPolicy },
    logging: hasLogging ? { driver: role.logging.driver ?? null, options: role.logging.options } : null,
    cmd: role.cmd === undefined ? null : splitCmd(role.cmd, role.name),
    proxy: role.proxy ? { route: proxyRoute(role.proxy) } : null,
    ...(req.reboot ? { reboot: true } : {}),
    proxyBoot: DEFAULT_PROXY_BOOT,
    deployTimeoutS: config.deployTimeout,
    drainTimeoutS: config.drainTimeout,
    stopTimeoutS: role.stopTimeout ?? null,
    strategy: role.strategy,
    retain: config.retainContainers,
    verifyWindowS: config.verify.windowS,
    run: req.run,
  }
}

/**
 * How hosts log in before they pull. No `registry.server` means Docker Hub, as in Kamal, and the
 * schema then requires username and password: a private Docker Hub image needs the login as much
 * as any other. Only a `localhost` registry (Kamal's local mode) is pulled without one.
 */
export function registryLogin(config: Pick<DeployConfig, 'registry'>, secrets: Pick<Secrets, 'resolve'>): DesiredRole['registry'] {
  const { server, local, username, password } = config.registry
  // The schema requires both credentials for every registry but a local one.
  if (local || username === undefined || !password) return null
  return { server: server ?? DOCKER_HUB, username: secrets.resolve(username), password: secrets.resolve(password) }
}

/** The server `docker login` takes for Docker Hub (the CLI maps it to Docker Hub's index). */
export const DOCKER_HUB = 'docker.io'

export function proxyRoute(p: ProxyConfig): ProxyRoute {
  return {
    ...DEFAULT_ROUTE,
    appPort: p.appPort,
    hosts: p.hosts,
    tls: p.ssl,
    tlsRedirect: p.ssl ? p.sslRedirect : null,
    healthCheck: { path: p.healthcheck.path, intervalS: p.healthcheck.interval, timeoutS: p.healthcheck.timeout },
    targetTimeoutS: p.responseTimeout,
    bufferRequests: p.buffering.requests,
    bufferResponses: p.buffering.responses,
    bufferMemory: p.buffering.memory ?? null,
    maxRequestBody: p.buffering.maxRequestBody ?? null,
    maxResponseBody: p.buffering.maxResponseBody ?? null,
    forwardHeaders: p.forwardHeaders,
    logRequestHeaders: p.logging.requestHeaders,
    logResponseHeaders: p.logging.responseHeaders,
  }
}

/**
 * Kamal hands `cmd` to the remote shell, which splits it into words. We split it here the same
 * way (quotes honoured) and refuse what only a shell could do, so no shell runs between us and
 * Docker.
 */
export function splitCmd(cmd: string, role: string, keyPath = `servers/${role}/cmd`): string[] {
  const words = parseShellWords(cmd, (name) => `$${name}`)
  const out: string[] = []
  for (const w of words) {
    if (typeof w === 'string') out.push(w)
    else
      throw new Error(
        `${keyPath}: ${JSON.stringify(cmd)} uses shell syntax (${'op' in w ? w.op : 'a comment'}); expected plain words. ` +
          `Wrap it in a shell yourself, e.g. cmd: sh -c "…"`,
      )
  }
  if (out.length === 0) throw new Error(`${keyPath}: is empty; expected the command to run, or no cmd for the image's default`)
  return out
}
