import { shellJoin, type Argv } from './shell-join.js'
import { underHostLock } from './host-lock.js'
import { NETWORK, PROXY_APPS_CONFIG_MOUNT, PROXY_CONFIG_VOLUME, PROXY_CONTAINER } from './names.js'

/**
 * kamal-proxy (v0.9.2) as data. The proxy runs in the `kamal-proxy` container; every command goes
 * through `docker exec kamal-proxy kamal-proxy …`, which talks to the running proxy over its
 * unix socket. There is no `version` command and `list` has no JSON form (see proxy-list.ts).
 */

export const DEFAULT_PROXY_IMAGE = 'basecamp/kamal-proxy:v0.9.2'

export interface ProxyBoot {
  image: string
  /** Publish 80/443 on the host (Kamal's default). `false` leaves the ports unpublished. */
  publish: boolean
  httpPort: number
  httpsPort: number
  /** Host IPs to bind the published ports to; empty = all interfaces. */
  bindIps: readonly string[]
  /** Docker json-file rotation (`--log-opt max-size=`); Kamal's default is 10m. */
  logMaxSize: string | null
}

export const DEFAULT_PROXY_BOOT: ProxyBoot = { image: DEFAULT_PROXY_IMAGE, publish: true, httpPort: 80, httpsPort: 443, bindIps: [], logMaxSize: '10m' }

const bracketIpv6 = (ip: string): string => (ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip)

function publishArgs(boot: ProxyBoot): string[] {
  if (!boot.publish) return []
  const binds = boot.bindIps.length > 0 ? boot.bindIps.map((ip) => `${bracketIpv6(ip)}:`) : ['']
  return binds.flatMap((b) => ['--publish', `${b}${boot.httpPort}:80`, '--publish', `${b}${boot.httpsPort}:443`])
}

/**
 * Boot the proxy the way Kamal 2 does: on the `kamal` network, restarted unless stopped, its
 * state (routes, certificates) in the `kamal-proxy-config` volume so a restart keeps the routes,
 * and Kamal's apps-config directory mounted. `appsConfigDir` must be absolute (a bind mount).
 */
export const run = (boot: ProxyBoot, appsConfigDir: string): Argv => [
  'docker', 'run',
  '--name', PROXY_CONTAINER,
  '--network', NETWORK,
  '--detach',
  '--restart', 'unless-stopped',
  '--volume', PROXY_CONFIG_VOLUME,
  '--volume', `${appsConfigDir}:${PROXY_APPS_CONFIG_MOUNT}`,
  ...publishArgs(boot),
  ...(boot.logMaxSize ? ['--log-opt', `max-size=${boot.logMaxSize}`] : []),
  boot.image,
  'kamal-proxy', 'run',
]

export const start = (): Argv => ['docker', 'container', 'start', PROXY_CONTAINER]

/**
 * Boot the proxy unless another deploy (another app on this host) booted it since we looked:
 * under the host lock, start the existing container, else run a new one.
 */
export const ensureRunning = (boot: ProxyBoot, appsConfigDir: string): Argv =>
  underHostLock([
    'sh', '-c',
    `if ${shellJoin(['docker', 'container', 'inspect', PROXY_CONTAINER])} >/dev/null 2>&1; then ${shellJoin(start())} >/dev/null; else ${shellJoin(run(boot, appsConfigDir))}; fi`,
  ])

const exec = (...args: string[]): Argv => ['docker', 'exec', PROXY_CONTAINER, 'kamal-proxy', ...args]

/** Route options for `kamal-proxy deploy`. Durations in seconds; null/undefined = proxy default. */
export interface ProxyRoute {
  /** The port the app listens on inside its container (Kamal `proxy.app_port`, default 80). */
  appPort: number
  /** Empty = every host name (kamal-proxy lists it as `*`). */
  hosts: readonly string[]
  pathPrefixes: readonly string[]
  stripPathPrefix: boolean | null
  tls: boolean
  /** Paths inside the proxy container (under its apps-config mount) for a custom certificate. */
  tlsCertificatePath: string | null
  tlsPrivateKeyPath: string | null
  tlsRedirect: boolean | null
  healthCheck: { path: string | null; intervalS: number | null; timeoutS: number | null }
  targetTimeoutS: number | null
  bufferRequests: boolean
  bufferResponses: boolean
  bufferMemory: number | null
  maxRequestBody: number | null
  maxResponseBody: number | null
  forwardHeaders: boolean | null
  logRequestHeaders: readonly string[]
  logResponseHeaders: readonly string[]
  errorPages: string | null
}

/** Kamal's defaults: buffering on, and three request headers logged. */
export const DEFAULT_ROUTE: ProxyRoute = {
  appPort: 80, hosts: [], pathPrefixes: [], stripPathPrefix: null, tls: false, tlsCertificatePath: null, tlsPrivateKeyPath: null,
  tlsRedirect: null, healthCheck: { path: null, intervalS: null, timeoutS: null }, targetTimeoutS: null,
  bufferRequests: true, bufferResponses: true, bufferMemory: null, maxRequestBody: null, maxResponseBody: null,
  forwardHeaders: null, logRequestHeaders: ['Cache-Control', 'Last-Modified', 'User-Agent'], logResponseHeaders: [], errorPages: null,
}

export interface DeployTimings {
  deployTimeoutS: number
  drainTimeoutS: number
}

// `--flag=value` in one word, as Kamal writes them: a boolean flag needs `=false` to turn off.
const opt = (flag: string, value: string | number | boolean | null | undefined): string[] => {
  if (value == null) return []
  if (value === true) return [`--${flag}`]
  return [`--${flag}=${value}`]
}
const many = (flag: string, values: readonly string[]): string[] => values.flatMap((v) => opt(flag, v))
const seconds = (s: number | null | undefined): string | null => (s == null ? null : `${s}s`)

/**
 * `kamal-proxy deploy <service> --target=<host>:<port> …`. It returns once the new target is
 * healthy, traffic has switched, and the old target has drained; non-zero means the old target
 * still serves. Max body sizes are only accepted when buffering that direction.
 */
export function deploy(service: string, target: string, route: ProxyRoute, timings: DeployTimings): Argv {
  return exec(
    'deploy', service,
    `--target=${target}:${route.appPort}`,
    ...many('host', route.hosts),
    ...many('path-prefix', route.pathPrefixes),
    ...opt('strip-path-prefix', route.stripPathPrefix),
    ...opt('tls', route.tls || null),
    ...opt('tls-certificate-path', route.tlsCertificatePath),
    ...opt('tls-private-key-path', route.tlsPrivateKeyPath),
    ...opt('tls-redirect', route.tlsRedirect),
    ...opt('deploy-timeout', seconds(timings.deployTimeoutS)),
    ...opt('drain-timeout', seconds(timings.drainTimeoutS)),
    ...opt('health-check-path', route.healthCheck.path),
    ...opt('health-check-interval', seconds(route.healthCheck.intervalS)),
    ...opt('health-check-timeout', seconds(route.healthCheck.timeoutS)),
    ...opt('target-timeout', seconds(route.targetTimeoutS)),
    ...opt('buffer-requests', route.bufferRequests),
    ...opt('buffer-responses', route.bufferResponses),
    ...opt('buffer-memory', route.bufferMemory),
    ...opt('max-request-body', route.bufferRequests ? route.maxRequestBody : null),
    ...opt('max-response-body', route.bufferResponses ? route.maxResponseBody : null),
    ...opt('forward-headers', route.forwardHeaders),
    ...many('log-request-header', route.logRequestHeaders),
    ...many('log-response-header', route.logResponseHeaders),
    ...opt('error-pages', route.errorPages),
  )
}

export const remove = (service: string): Argv => exec('remove', service)

export const list = (): Argv => exec('list')

/**
 * Maintenance: kamal-proxy answers the service's requests itself (503, with `message` on its
 * maintenance page) after draining in-flight ones, until `resume`. The route and its target stay.
 */
export const stop = (service: string, o: { message?: string | undefined; drainTimeoutS?: number | undefined } = {}): Argv =>
  exec('stop', service, ...opt('drain-timeout', seconds(o.drainTimeoutS)), ...opt('message', o.message))

export const resume = (service: string): Argv => exec('resume', service)

/** The proxy container as `docker ps` shows it (`cutover proxy details`). */
export const details = (): Argv => ['docker', 'ps', '--filter', `name=^${PROXY_CONTAINER}$`]

/** The proxy container's name, for `docker logs` (argv/app.ts logs). */
export const PROXY = PROXY_CONTAINER
