import { readFileSync } from 'node:fs'
import type { Duplex } from 'node:stream'
import type { Client } from 'ssh2'
import { CONNECT_TIMEOUT_MS, KEEPALIVE, openConnection } from './connection.js'
import { describe, RemoteError, type SshEndpoint } from './errors.js'
import type { RemoteHost } from './host.js'
import { loadKeys, type KeySources, type PrivateKey } from './keys.js'
import { parseKnownHosts, type KnownHosts } from './known-hosts.js'
import { SshHost } from './ssh-host.js'
import { parseTarget } from './target.js'

export interface SshOptions {
  /** Private keys in memory, or where to read them (once). */
  keys: readonly PrivateKey[] | KeySources
  /** Parsed known_hosts, or the path of the file. Strict: unknown or changed keys are refused. */
  knownHosts: KnownHosts | string
  /** Default user (Kamal's ssh.user); `user@host` overrides it. Default root. */
  user?: string
  /** Default port (Kamal's ssh.port); `host:port` overrides it. Default 22. */
  port?: number
  /** A jump host, Kamal's ssh.proxy: `[user@]host[:port]`, user root unless given. */
  proxy?: string
  /** How long the TCP connect and SSH handshake may take (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number
  /** The default limit on each command; ExecOptions.timeoutMs overrides it per command. */
  commandTimeoutMs?: number
  /** Keepalive probes (default KEEPALIVE.intervalMs, KEEPALIVE.countMax): see there. */
  keepaliveIntervalMs?: number
  keepaliveCountMax?: number
  maxChannelsPerHost?: number
  onCommand?: (host: string, command: string) => void
}

export function loadKnownHosts(path: string): KnownHosts {
  try {
    return parseKnownHosts(readFileSync(path, 'utf8'), `known_hosts file ${path}`, path)
  } catch (e) {
    throw new RemoteError(`known_hosts file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass --known-hosts FILE holding your hosts' keys; \`cutover known-hosts HOST…\` prints them`)
  }
}

const closeClient = (client: Client): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, 2_000)
    client.once('close', () => (clearTimeout(timer), resolve()))
    client.end()
  })

/**
 * One SSH connection per host for the whole run, opened on first use and shared (also the jump
 * host's). Concurrent asks for the same host wait for the same connection.
 */
export class SshPool {
  private readonly keys: readonly PrivateKey[]
  private readonly knownHosts: KnownHosts
  private readonly connections = new Map<string, Promise<Client>>()
  private readonly hosts = new Map<string, Promise<SshHost>>()

  constructor(private readonly options: SshOptions) {
    this.keys = Array.isArray(options.keys) ? (options.keys as PrivateKey[]) : loadKeys(options.keys as KeySources)
    this.knownHosts = typeof options.knownHosts === 'string' ? loadKnownHosts(options.knownHosts) : options.knownHosts
  }

  private endpoint(target: string, name?: string): SshEndpoint {
    const t = parseTarget(target)
    return { name: name ?? t.host, user: t.user ?? this.options.user ?? 'root', host: t.host, port: t.port ?? this.options.port ?? 22 }
  }

  private proxyEndpoint(): SshEndpoint | undefined {
    if (!this.options.proxy) return undefined
    const t = parseTarget(this.options.proxy, 'ssh.proxy')
    return { name: `jump host ${t.host}`, user: t.user ?? 'root', host: t.host, port: t.port ?? 22 }
  }

  private client(endpoint: SshEndpoint, via?: SshEndpoint): Promise<Client> {
    const key = `${endpoint.user}@${endpoint.host}:${endpoint.port}`
    let pending = this.connections.get(key)
    if (!pending) {
      pending = (async () => {
        const sock = via ? await this.tunnel(via, endpoint) : undefined
        return openConnection(endpoint, {
          keys: this.keys,
          knownHosts: this.knownHosts,
          connectTimeoutMs: this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
          keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? KEEPALIVE.intervalMs,
          keepaliveCountMax: this.options.keepaliveCountMax ?? KEEPALIVE.countMax,
          ...(sock ? { sock } : {}),
        })
      })()
      this.connections.set(key, pending)
      // A failed or dropped connection is forgotten, so the next ask dials again.
      pending.then(
        (c) => c.once('close', () => this.connections.get(key) === pending && this.connections.delete(key)),
        () => this.connections.get(key) === pending && this.connections.delete(key),
      )
    }
    return pending
  }

  /** A channel through the jump host to the target's SSH port; the jump host is checked strictly too. */
  private async tunnel(via: SshEndpoint, to: SshEndpoint): Promise<Duplex> {
    const jump = await this.client(via)
    const timeoutMs = this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new RemoteError(`${describe(to)}: jump host ${describe(via)} opened no tunnel within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs)
      jump.forwardOut('127.0.0.1', 0, to.host, to.port, (err, stream) => {
        clearTimeout(timer)
        if (err) reject(new RemoteError(`${describe(to)}: jump host ${describe(via)} cannot reach ${to.host}:${to.port}: ${err.message}`))
        else resolve(stream)
      })
    })
  }

  /** The host's RemoteHost, connecting on first use. `target` is `[user@]host[:port]`. */
  host(target: string, name?: string): Promise<SshHost> {
    const endpoint = this.endpoint(target, name)
    const key = `${endpoint.user}@${endpoint.host}:${endpoint.port}`
    let pending = this.hosts.get(key)
    if (!pending) {
      pending = this.client(endpoint, this.proxyEndpoint()).then((client) => {
        const host = new SshHost(endpoint.name, client, {
          commandTimeoutMs: this.options.commandTimeoutMs ?? 10 * 60_000,
          maxChannels: this.options.maxChannelsPerHost ?? 8,
          ...(this.options.onCommand ? { onCommand: this.options.onCommand } : {}),
        }, async () => {
          this.hosts.delete(key)
          await closeClient(client)
        })
        client.once('close', () => this.hosts.get(key) === pending && this.hosts.delete(key))
        return host
      })
      this.hosts.set(key, pending)
      pending.catch(() => this.hosts.get(key) === pending && this.hosts.delete(key))
    }
    return pending
  }

  /** Closes every connection, jump hosts included. */
  async closeAll(): Promise<void> {
    const clients = await Promise.allSettled([...this.connections.values()])
    this.connections.clear()
    this.hosts.clear()
    await Promise.all(clients.flatMap((c) => (c.status === 'fulfilled' ? [closeClient(c.value)] : [])))
  }
}

/** One host on its own connection (and its own jump connection); close() ends both. */
export async function connect(target: string, options: SshOptions & { name?: string }): Promise<RemoteHost> {
  const pool = new SshPool(options)
  try {
    const host = await pool.host(target, options.name)
    return { name: host.name, exec: (a, o) => host.exec(a, o), upload: (c, p, m) => host.upload(c, p, m), close: () => pool.closeAll() }
  } catch (e) {
    await pool.closeAll()
    throw e
  }
}
