/**
 * Kamal 2's host layout: names and paths both tools must agree on, so a host deployed by one is
 * adopted by the other. Paths are relative to the SSH user's home (the cwd of a remote command),
 * exactly as Kamal writes them.
 */

export interface AppRef {
  service: string
  role: string
  /** Kamal's destination (`-d staging`); null when none. */
  destination: string | null
}

export const NETWORK = 'kamal'
export const PROXY_CONTAINER = 'kamal-proxy'
export const RUN_DIRECTORY = '.kamal'

/** Labels Kamal puts on every app container; we filter on these, never on names. */
export const LABEL_SERVICE = 'service'
export const LABEL_ROLE = 'role'
export const LABEL_DESTINATION = 'destination'
/** Our additions (Kamal has neither): the version deployed and the settings digest. */
export const LABEL_VERSION = 'cutover.version'
export const LABEL_DIGEST = 'cutover.digest'
/** What a container was deployed with, for diffs (plan/settings.ts): non-secret settings, and keyed hashes of secrets. */
export const LABEL_SETTINGS = 'cutover.settings'
export const LABEL_SECRETS = 'cutover.secrets'
/** Markers of work a run left after its switch (stop old, prune, audit), one file per role: see plan/leftovers.ts. */
export const pendingDirectory = (ref: Pick<AppRef, 'service' | 'destination'>): string => `${RUN_DIRECTORY}/cutover/pending/${serviceAndDestination(ref)}`
/** The host's random key for those hashes, mode 0600, next to the env files. */
export const SETTINGS_KEY_PATH = `${RUN_DIRECTORY}/cutover/settings.key`

const join = (...parts: (string | null | undefined)[]): string => parts.filter((p): p is string => p != null && p !== '').join('-')

/** `<service>[-<destination>]`: the app's directory name under `.kamal/apps`. */
export const serviceAndDestination = (ref: Pick<AppRef, 'service' | 'destination'>): string => join(ref.service, ref.destination)

/** `<service>-<role>[-<destination>]`: container name prefix, and kamal-proxy's service name. */
export const containerPrefix = (ref: AppRef): string => join(ref.service, ref.role, ref.destination)

export const containerName = (ref: AppRef, version: string): string => `${containerPrefix(ref)}-${version}`

/** Kamal's proxy service for a role is named like the container prefix. */
export const proxyServiceName = containerPrefix

/** Kamal's latest tag: `latest`, or `latest-<destination>` so two destinations on one host don't fight over it. */
export const latestTagName = (destination: string | null | undefined): string => (destination ? `latest-${destination}` : 'latest')

/** `.kamal/apps/<service>[-<dest>]`: the app's files on a host (its env files); `remove` deletes it whole. */
export const appDirectory = (ref: Pick<AppRef, 'service' | 'destination'>): string => `${RUN_DIRECTORY}/apps/${serviceAndDestination(ref)}`

/** Where the secret env file lives: `.kamal/apps/<service>[-<dest>]/env/roles/<role>.env`. */
export const envDirectory = (ref: AppRef): string => `${appDirectory(ref)}/env/roles`
export const envFilePath = (ref: AppRef): string => `${envDirectory(ref)}/${ref.role}.env`

/** `.kamal/lock-<service>[-<dest>]`, a directory whose creation is the lock (mkdir is atomic). */
export const lockDirectory = (ref: Pick<AppRef, 'service' | 'destination'>): string => `${RUN_DIRECTORY}/lock-${serviceAndDestination(ref)}`

/** `.kamal/<service>[-<dest>]-audit.log`. */
export const auditLogPath = (ref: Pick<AppRef, 'service' | 'destination'>): string => `${RUN_DIRECTORY}/${serviceAndDestination(ref)}-audit.log`

/** Kamal mounts this host directory into kamal-proxy for error pages and custom TLS files. */
export const proxyAppsConfigDirectory = `${RUN_DIRECTORY}/proxy/apps-config`
export const PROXY_APPS_CONFIG_MOUNT = '/home/kamal-proxy/.apps-config'
export const PROXY_CONFIG_VOLUME = 'kamal-proxy-config:/home/kamal-proxy/.config/kamal-proxy'

/** `a/b` relative to `home`, or as is when already absolute. Docker bind mounts need absolute paths. */
export const underHome = (home: string, path: string): string => (path.startsWith('/') ? path : `${home.replace(/\/+$/, '')}/${path}`)

/**
 * The network alias a cutover container answers to on the `kamal` network, and so the host part of
 * kamal-proxy's `--target`. It is derived from the settings digest, not the container name:
 * when a container holding the desired name must be renamed (`…_replaced_<hex>`) while it still
 * serves, a name-based target would stop resolving (or resolve to the not-yet-healthy new one).
 * Kamal gets the same stability by targeting the container id. One DNS label (< 63 chars).
 */
export const targetAlias = (digest: string, boot?: string): string => `cutover-${digest.slice(0, 24)}${boot ? `-${boot.slice(0, 8)}` : ''}`

/** Does a target host name the alias of this digest (a rebooted container's alias carries a suffix)? */
export const isTargetAliasOf = (host: string, digest: string): boolean => host === targetAlias(digest) || host.startsWith(`${targetAlias(digest)}-`)

/** Docker's own rule for container names. */
export const CONTAINER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
/** Docker's rule for an image tag, which a version must also satisfy. */
export const TAG_PATTERN = /^[\w][\w.-]{0,127}$/
