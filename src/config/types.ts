import type { SecretEnvRef } from './schema/env.js'
import type { HookOutputLevel } from './schema/hooks.js'
import type { RoleOptionValue } from './schema/servers.js'
import type { JumpHost } from './schema/ssh.js'
import type { Strategy } from './schema/x-cutover.js'

export type { HookOutputLevel, JumpHost, RoleOptionValue, SecretEnvRef, Strategy }

/**
 * The resolved config the engine consumes: every default applied, root and role settings merged,
 * and no secret values anywhere. Secrets appear only as references (`{ secret: NAME }`), resolved
 * through the separate `Secrets` object, so this whole object can be printed, hashed or logged.
 */
export interface SecretRef {
  secret: string
}

export interface Host {
  /** As written in the config (`1.2.3.4`, `app1:2222`, `[2001:db8::1]:2222`); the host's identity. */
  host: string
  /** Host name or address without the port (no brackets for IPv6). */
  hostname: string
  /** From `host:port`; when absent, ssh.port applies. */
  port?: number
  /** Kamal host tags (`- 1.1.1.2: [tag1, tag2]`). */
  tags: string[]
}

/** Clear values plus secret env names; `secret` entries become the 0600 env file on the host. */
export interface EnvSettings {
  clear: Record<string, string>
  secret: SecretEnvRef[]
}

/** kamal-proxy deploy settings, with Kamal's defaults applied. */
export interface ProxyConfig {
  /** Host names routed to the app; empty means every request no other app claims (Kamal). */
  hosts: string[]
  /** Port the app listens on in the container. Default 80. */
  appPort: number
  /** Automatic TLS through kamal-proxy (Let's Encrypt). Default false. */
  ssl: boolean
  /** Kamal's `ssl: {certificate_pem, private_key_pem}`: validated and resolved; not acted on yet (warned). */
  sslCertificate?: { certificate: SecretRef; privateKey: SecretRef }
  /** Redirect HTTP to HTTPS when ssl is on. Default true (kamal-proxy's default). */
  sslRedirect: boolean
  /** Forward X-Forwarded-* headers. Default: true without ssl, false with ssl (Kamal). */
  forwardHeaders: boolean
  /** Root deploy_timeout, here too because `kamal-proxy deploy` takes it. Default 30. */
  deployTimeout: number
  /** Root drain_timeout, here too because `kamal-proxy deploy` takes it. Default 30. */
  drainTimeout: number
  /** Seconds a request may take (kamal-proxy --target-timeout). Default 30. */
  responseTimeout: number
  /** Default path /up, interval 1 s, timeout 5 s (Kamal's documented defaults). */
  healthcheck: { path: string; interval: number; timeout: number }
  /** Default requests and responses buffered; limits left to kamal-proxy unless set. */
  buffering: { requests: boolean; responses: boolean; maxRequestBody?: number; maxResponseBody?: number; memory?: number }
  /** Request headers logged default to Cache-Control, Last-Modified, User-Agent (Kamal). */
  logging: { requestHeaders: string[]; responseHeaders: string[] }
}

/** Docker logging; default `--log-opt max-size=10m` when neither driver nor options are set (Kamal). */
export interface LoggingConfig {
  driver?: string
  options: Record<string, string>
}

export interface RoleConfig {
  name: string
  primary: boolean
  hosts: Host[]
  cmd?: string
  /** `docker run` options (`memory: 2g`); `true` is a bare flag; `restart` is taken out into restartPolicy. */
  options: Record<string, RoleOptionValue>
  /** Default unless-stopped (Kamal). */
  restartPolicy: string
  /** Root labels with the role's over them. The engine adds service, role and destination itself. */
  labels: Record<string, string>
  /** Root env with the role's over it. */
  env: EnvSettings
  logging: LoggingConfig
  /** Undefined when the role runs without kamal-proxy (default for every role but the primary). */
  proxy?: ProxyConfig
  /** `docker stop --time`: the role's, else the root's, else drain_timeout for roles without a proxy (Kamal). */
  stopTimeout?: number
  /** cutover addition (`x-cutover.roles.<role>.strategy`): default blue-green (see normalize/strategy.ts). */
  strategy: Strategy
}

/** Kamal `boot:`: hosts boot in groups of `limit` (null: all at once), `wait` seconds apart. */
export interface BootConfig {
  limit: number | null
  wait: number
}

export interface RegistryConfig {
  /** Undefined means Docker Hub. */
  server?: string
  /** `localhost:PORT`: no login needed. */
  local: boolean
  username?: string | SecretRef
  password?: SecretRef
}

export interface SshConfig {
  /** Default root. */
  user: string
  /** Default 22. */
  port: number
  /** Private key files. */
  keys: string[]
  /** Private keys held in secrets. */
  keyData: SecretRef[]
  proxy?: JumpHost
  proxyCommand?: string
  /** Default false: the ssh-agent's keys are offered too. */
  keysOnly: boolean
  /** OpenSSH config files: true (default) means ~/.ssh/config and /etc/ssh/ssh_config. */
  config: boolean | string[]
  /** Default fatal. */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'fatal'
}

export interface BuilderConfig {
  /** Empty means the builder's native architecture. */
  arch: string[]
  /** Undefined means a clean git clone (Kamal's default); "." means the working tree. */
  context?: string
  /** Default Dockerfile. */
  dockerfile: string
  target?: string
  args: Record<string, string>
  /** Secret names passed with --secret. */
  secrets: string[]
  cache?: { type: 'gha' | 'registry' | 'local'; options?: string; image?: string }
}

/** cutover addition: PR previews (see schema/preview.ts). */
export interface PreviewConfig {
  /** e.g. pr-{number}.preview.example.com; see previewHost(). */
  hostTemplate: string
  /** Default: the primary role's hosts. */
  hosts: Host[]
  /** The primary role's clear env, the preview's env over it; production secrets only with inheritSecrets. */
  env: EnvSettings
  inheritSecrets: boolean
}

/** Kamal's hooks: files run on this machine around a deploy (see src/hooks). */
export interface HooksConfig {
  /** `hooks_path`, relative to the app's directory. Default .kamal/hooks. */
  path: string
  /** `hooks_output`: one level for every hook, or per hook name; absent: the logger's own verbosity decides. */
  output?: HookOutputLevel | Record<string, HookOutputLevel>
}

export interface DeployConfig {
  /** The config files read, base first. */
  files: string[]
  destination?: string
  service: string
  /** As written (or the service name for a local registry). */
  image: string
  /** registry server + image: what to tag, push and pull (`${repository}:${version}`). */
  repository: string
  registry: RegistryConfig
  /** Sorted by name, as Kamal does. */
  roles: RoleConfig[]
  /** Default web. */
  primaryRole: string
  /**
   * Kamal `env.tags`: the env of each host tag, applied over a role's env on every host that
   * lists the tag (see hostEnv); so a role's env can differ from host to host.
   */
  envTags: Record<string, EnvSettings>
  /** Root proxy settings with defaults (what previews use). */
  proxy: ProxyConfig
  volumes: string[]
  ssh: SshConfig
  builder: BuilderConfig
  /** Default 5. */
  retainContainers: number
  /** Seconds for a new container to become healthy. Default 30. */
  deployTimeout: number
  /** Seconds to drain the old container. Default 30. */
  drainTimeout: number
  /** Seconds to wait for roles without proxy or healthcheck. Default 7. */
  readinessDelay: number
  requireDestination: boolean
  /** Default .kamal/secrets. */
  secretsPath: string
  preview?: PreviewConfig
  /** Absent only in hand-made configs (tests): the engine then reads Kamal's defaults. */
  hooks?: HooksConfig
  boot: BootConfig
  /**
   * false for a PR preview (engine/preview.ts): it shares production's image repository, so it
   * must never move the hosts' `latest` tag, which Kamal reads as production's current version.
   */
  tagsLatest?: false
  /** cutover addition (`x-cutover.lock`): the deploy lock's heartbeat. */
  lock: LockConfig
  /** cutover addition (`x-cutover/verify`): the watch after the switch. */
  verify: VerifyConfig
  /** Kamal `accessories:`, by name; booted only by `cutover accessory`, never by deploy. Absent in hand-made configs. */
  accessories?: AccessoryConfig[]
  /** cutover addition (`x-cutover/bootstrap`): where `server bootstrap` fetches Docker's install script. */
  bootstrap?: { installUrl: string }
  /** cutover addition (`x-cutover/fanout`), only when given: the SSH connection bound (remote/bound.ts). */
  fanout?: FanoutConfig
}

/** One Kamal accessory, hosts resolved (see normalize/accessories.ts). */
export interface AccessoryConfig {
  name: string
  /** Container name and `service` label: Kamal's `service:`, else `<service>-<name>`. */
  serviceName: string
  image: string
  hosts: Host[]
  /** A docker --publish value (`3306` is written out as `3306:3306`, as Kamal does). */
  publish?: string
  cmd?: string
  env: EnvSettings
  volumes: string[]
  /** `HOST:CONTAINER`; a relative HOST is under `~/<serviceName>/` on the host. */
  directories: { host: string; container: string }[]
  /** `LOCAL:CONTAINER`; uploaded to `~/<serviceName><CONTAINER>` and mounted there. A LOCAL ending in .erb is rendered. */
  files: { local: string; container: string }[]
  options: Record<string, RoleOptionValue>
  labels: Record<string, string>
  /** Default kamal. */
  network: string
}

export interface FanoutConfig {
  /** At most this many SSH connections open at once. */
  maxConnections: number
}

export interface LockConfig {
  /** Seconds without a heartbeat after which a held lock counts as stale. Default 120. */
  staleAfter: number
}

/** `x-cutover/verify`, defaults applied. */
export interface VerifyConfig {
  /** Seconds to watch the new container after the switch; 0 = no watch (as before). Default 5. */
  windowS: number
  /** One host rolling back rolls back every host that switched in the run. Default true. */
  fleetRollback: boolean
}
