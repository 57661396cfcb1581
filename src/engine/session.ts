import { existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { createRegistryClient, type RegistryInput } from '../registry/index.js'
import type { DeployConfig } from '../config/index.js'
import type { Logger } from '../log.js'
import { DEFAULT_MAX_CONNECTIONS, SshPool, type SshOptions } from '../remote/index.js'
import type { Secrets } from '../secrets/index.js'
import type { RemoteHost } from '../remote/host.js'

/** Everything one run needs to reach hosts and the registry, resolved from config and flags. */
export interface SessionOptions {
  config: DeployConfig
  secrets: Secrets
  logger: Logger
  /** known_hosts file, or its text already parsed (the Action holds it in memory). */
  knownHosts: SshOptions['knownHosts']
  /** Extra keys (`--ssh-key FILE`, the Action's `ssh-private-key`), besides ssh.keys / ssh.key_data. */
  extraKeys?: { paths?: string[]; data?: { label: string; key: string }[] }
  /** Called with every command string sent over SSH (tests trace them for leaks). */
  onCommand?: (host: string, command: string) => void
  env?: NodeJS.ProcessEnv
  /** `--max-connections` / the Action's `max-connections`: wins over x-cutover.fanout.max_connections. */
  maxConnections?: number | undefined
}

/** One run's connections: one SSH connection per host, reused, closed at the end. */
export class Session {
  readonly pool: SshPool
  readonly redact: (text: string) => string
  /** At most this many SSH connections open at once (remote/bound.ts). */
  readonly maxConnections: number

  constructor(readonly options: SessionOptions) {
    const { config, secrets } = options
    this.maxConnections = options.maxConnections ?? config.fanout?.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    const keyData = config.ssh.keyData.map((ref, i) => ({ label: `ssh/key_data/${i}`, key: secrets.resolve(ref) }))
    this.pool = new SshPool({
      keys: {
        paths: [...config.ssh.keys, ...(options.extraKeys?.paths ?? [])],
        buffers: [...keyData, ...(options.extraKeys?.data ?? [])],
      },
      knownHosts: options.knownHosts,
      maxConnections: this.maxConnections,
      user: config.ssh.user,
      port: config.ssh.port,
      ...(config.ssh.proxy ? { proxy: `${config.ssh.proxy.user}@${formatHost(config.ssh.proxy.host)}:${config.ssh.proxy.port}` } : {}),
      ...(config.ssh.proxyCommand ? { proxyCommand: config.ssh.proxyCommand } : {}),
      sshConfig: config.ssh.config,
      keysOnly: config.ssh.keysOnly,
      ...((options.env ?? process.env).SSH_AUTH_SOCK ? { agent: (options.env ?? process.env).SSH_AUTH_SOCK! } : {}),
      ...(options.onCommand ? { onCommand: options.onCommand } : {}),
    })
    this.redact = (text) => secrets.redact(text)
  }

  host(target: string): Promise<RemoteHost> {
    return this.pool.host(target)
  }

  close(): Promise<void> {
    return this.pool.closeAll()
  }

  /** The registry as the build layer's client wants it; the CA is Docker's own trust for it. */
  registryInput(): RegistryInput {
    const { registry } = this.options.config
    const server = registry.server
    const ca = server ? `/etc/docker/certs.d/${server}/ca.crt` : undefined
    return {
      ...(server ? { server } : {}),
      ...(registry.username !== undefined ? { username: this.options.secrets.resolve(registry.username) } : {}),
      ...(registry.password ? { password: this.options.secrets.resolve(registry.password), passwordSource: `the ${registry.password.secret} secret` } : {}),
      ...(ca && existsSync(ca) ? { caFile: ca } : {}),
      ...(registry.local ? { insecureHttp: true } : {}),
    }
  }

  /**
   * The content digest of image:version in the registry, checked once per run. Absent is an
   * error that says what to do; auth and TLS problems are errors too, never "absent".
   */
  async imageDigest(version: string, retained?: () => Promise<string[]>): Promise<string> {
    const { config } = this.options
    const client = await createRegistryClient(this.registryInput())
    const digest = await client.manifestDigest(config.image, version)
    if (digest) return digest
    const known = retained ? await retained().catch(() => []) : []
    throw new VersionMissingError(
      version,
      known,
      `${config.repository}:${version} is not in the registry. Build and push it first (cutover deploy without --skip-build), ` +
        `or deploy a version that exists${known.length ? `; versions retained on the hosts: ${known.join(', ')}` : ''}`,
    )
  }
}

/** image:version is not in the registry, so no host could pull it. */
export class VersionMissingError extends Error {
  override name = 'VersionMissingError'
  constructor(
    readonly version: string,
    readonly retained: string[],
    message: string,
  ) {
    super(message)
  }
}

const formatHost = (host: string): string => (host.includes(':') ? `[${host}]` : host)

/** Random lowercase hex for `_replaced_<hex>` names and container hostnames. */
export const nonce = (): string => randomBytes(8).toString('hex')
