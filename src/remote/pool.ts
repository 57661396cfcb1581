import { readFileSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import type { Client } from 'ssh2'
import { CONNECT_TIMEOUT_MS, KEEPALIVE, openConnection } from './connection.js'
import { describe, RemoteError, type SshEndpoint } from './errors.js'
import type { RemoteHost } from './host.js'
import { DEFAULT_KEY_FILES, loadKeys, loadOptionalKeys, type KeySources, type PrivateKey } from './keys.js'
import { parseKnownHosts, type KnownHosts } from './known-hosts.js'
import { spawnProxyCommand } from './proxy-command.js'
import { readSshConfigFiles, SshConfigs, type SshConfigSetting } from './ssh-config.js'
import { SshHost } from './ssh-host.js'
import { ConnectionBound, DEFAULT_MAX_CONNECTIONS } from './bound.js'
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
  /** Kamal's ssh.proxy_command (ssh.proxy wins when both are set, as in Kamal). */
  proxyCommand?: string
  /**
   * Kamal's ssh.config: OpenSSH config files whose HostName, IdentityFile, ProxyJump and
   * ProxyCommand apply per host (User and Port only where `user`/`port` are not given). Default false.
   */
  sshConfig?: SshConfigSetting
  /** The ssh-agent socket (SSH_AUTH_SOCK) to take keys from. */
  agent?: string
  /** Kamal's ssh.keys_only: never the agent's keys, only the key files. */
  keysOnly?: boolean
  /** Where `~` is (default keys, the user's ssh config); tests point it elsewhere. */
  home?: string
  /** How long the TCP connect and SSH handshake may take (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number
  /** The default limit on each command; ExecOptions.timeoutMs overrides it per command. */
  commandTimeoutMs?: number
  /** Keepalive probes (default KEEPALIVE.intervalMs, KEEPALIVE.countMax): see there. */
  keepaliveIntervalMs?: number
  keepaliveCountMax?: number
  maxChannelsPerHost?: number
  /**
   * At most this many SSH connections open at once (x-cutover.fanout.max_connections,
   * --max-connections): see bound.ts. Default DEFAULT_MAX_CONNECTIONS.
   */
  maxConnections?: number
  /** How long an idle connection stays open while another host waits for a slot (bound.ts; tests shorten it). */
  idleGraceMs?: number
  onCommand?: (host: string, command: string) => void
}

export function loadKnownHosts(path: string): KnownHosts {
  try {
    return parseKnownHosts(readFileSync(path, 'utf8'), `known_hosts file ${path}`, path)
  } catch (e) {
    throw new RemoteError(`known_hosts file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass --known-hosts FILE holding your hosts' keys; \`cutover known-hosts HOST…\` prints them`)
  }
}

// A peer that never answers the goodbye is cut off: the connection bound hands this slot to
// another host once this resolves, so the socket must really be gone by then.
const closeClient = (client: Client): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => (client.destroy(), resolve()), 2_000)
    client.once('close', () => (clearTimeout(timer), resolve()))
    client.end()
  })

/**
 * One SSH connection per host for the whole run, opened on first use and shared (also the jump
 * host's). Concurrent asks for the same host wait for the same connection.
 */
export class SshPool {
  /** The keys named in deploy.yml or on the command line (strict: a bad one is an error). */
  private readonly keys: readonly PrivateKey[]
  /** Whether ssh.keys (or --ssh-key) named key files: then IdentityFile and ~/.ssh/id_* are not tried. */
  private readonly namedKeyFiles: boolean
  private readonly knownHosts: KnownHosts
  private readonly configs: SshConfigs
  private readonly home: string
  private readonly connections = new Map<string, Promise<Client>>()
  private readonly hosts = new Map<string, Promise<SshHost>>()
  /** The connection bound over the hosts (jump hosts are not counted: one connection each, shared). */
  readonly bound: ConnectionBound
  /** Where each of the bound's keys (`user@host:port`) goes, as host() resolved it. */
  private readonly dialed = new Map<string, Hop>()

  constructor(private readonly options: SshOptions) {
    const given = Array.isArray(options.keys) ? undefined : (options.keys as KeySources)
    this.keys = given ? loadKeys(given, { allowNone: true }) : (options.keys as PrivateKey[])
    this.namedKeyFiles = given ? (given.paths ?? []).length > 0 : this.keys.length > 0
    this.knownHosts = typeof options.knownHosts === 'string' ? loadKnownHosts(options.knownHosts) : options.knownHosts
    this.home = options.home ?? homedir()
    this.configs = new SshConfigs(readSshConfigFiles(options.sshConfig ?? false, this.home), this.home)
    this.bound = new ConnectionBound((target, gone) => this.dial(target, gone), options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, {
      ...(options.idleGraceMs !== undefined ? { graceMs: options.idleGraceMs } : {}),
    })
  }

  private endpoint(target: string, name?: string): Hop {
    return endpointFor(target, this.options, this.configs, name)
  }

  /** A jump host as ProxyJump or ssh.proxy names it, `[user@]host[:port]`; aliases resolve too. */
  private jumpEndpoint(spec: string, what: string): Hop {
    const t = parseTarget(spec, what)
    const s = this.configs.resolve(t.host, localUser())
    // Kamal's default jump user is root, like its default ssh user.
    return { name: `jump host ${t.host}`, alias: t.host, user: t.user ?? s.user ?? 'root', host: s.hostName ?? t.host, port: t.port ?? s.port ?? 22 }
  }

  /** How to reach a host: directly, through jump hosts (first hop first), or through a command. */
  private route(alias: string): { jumps: Hop[] } | { command: string } {
    if (this.options.proxy) return { jumps: [this.jumpEndpoint(this.options.proxy, 'ssh.proxy')] }
    if (this.options.proxyCommand) return { command: this.options.proxyCommand }
    const s = this.configs.resolve(alias, localUser())
    if (s.proxyJump) return { jumps: s.proxyJump.split(',').map((hop) => this.jumpEndpoint(hop.trim(), `ProxyJump of ${alias}`)) }
    if (s.proxyCommand) return { command: s.proxyCommand }
    return { jumps: [] }
  }

  /** The keys offered to `alias`: the named ones, else its IdentityFiles, else ~/.ssh/id_*. */
  private keysFor(alias: string): { keys: PrivateKey[]; agent?: string } {
    const agent = this.options.keysOnly ? undefined : this.options.agent
    let keys = [...this.keys]
    if (!this.namedKeyFiles) {
      const files = this.configs.resolve(alias, localUser()).identityFiles
      keys.push(...loadOptionalKeys(files.length ? files : DEFAULT_KEY_FILES.map((f) => join(this.home, '.ssh', f))))
    }
    keys = keys.filter((k, i) => keys.findIndex((o) => o.label === k.label) === i)
    if (!keys.length && !agent) {
      throw new RemoteError(
        `no SSH key for ${alias}: set ssh.keys or ssh.key_data in config/deploy.yml, pass --ssh-key FILE, give an IdentityFile in the ssh config, or run an ssh-agent (SSH_AUTH_SOCK)${this.options.keysOnly ? ' (ssh.keys_only is set, so the agent is not asked)' : ''}`,
      )
    }
    return { keys, ...(agent ? { agent } : {}) }
  }

  private client(endpoint: SshEndpoint, alias: string, via: Hop[] | { command: string } = []): Promise<Client> {
    const key = `${endpoint.user}@${endpoint.host}:${endpoint.port}`
    let pending = this.connections.get(key)
    if (!pending) {
      pending = (async () => {
        const proxied = 'command' in via ? spawnProxyCommand(via.command, endpoint, alias) : undefined
        const sock = proxied?.sock ?? (Array.isArray(via) && via.length ? await this.tunnel(via, endpoint) : undefined)
        return openConnection(endpoint, {
          ...this.keysFor(alias),
          knownHosts: this.knownHosts,
          connectTimeoutMs: this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
          keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? KEEPALIVE.intervalMs,
          keepaliveCountMax: this.options.keepaliveCountMax ?? KEEPALIVE.countMax,
          ...(sock ? { sock } : {}),
          ...(proxied ? { viaDetail: proxied.stderr } : {}),
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

  /** A channel through the last jump host to the target's SSH port; every jump host is checked strictly too. */
  private async tunnel(hops: Hop[], to: SshEndpoint): Promise<Duplex> {
    const via = hops[hops.length - 1]!
    // The jump host's own keys: its IdentityFile, as ssh gives each hop its own config.
    const jump = await this.client(via, via.alias, hops.slice(0, -1))
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

  /**
   * The host's RemoteHost, connecting on first use. `target` is `[user@]host[:port]`. Each
   * command holds one of the pool's connection slots while it runs (bound.ts).
   */
  host(target: string, name?: string): Promise<RemoteHost> {
    const endpoint = this.endpoint(target, name)
    const hostKey = `${endpoint.user}@${endpoint.host}:${endpoint.port}`
    this.dialed.set(hostKey, endpoint)
    return this.bound.host(hostKey, endpoint.name)
  }

  /** One connection to the host, as the bound asks for it; `gone` is told when the host ends it. */
  private dial(hostKey: string, gone: () => void): Promise<SshHost> {
    const endpoint = this.dialed.get(hostKey)!
    let pending = this.hosts.get(hostKey)
    if (!pending) {
      const route = this.route(endpoint.alias)
      pending = this.client(endpoint, endpoint.alias, 'command' in route ? route : route.jumps).then((client) => {
        const host = new SshHost(endpoint.name, client, {
          commandTimeoutMs: this.options.commandTimeoutMs ?? 10 * 60_000,
          maxChannels: this.options.maxChannelsPerHost ?? 8,
          ...(this.options.onCommand ? { onCommand: this.options.onCommand } : {}),
        }, async () => {
          this.hosts.delete(hostKey)
          await closeClient(client)
        })
        client.once('close', () => {
          if (this.hosts.get(hostKey) === pending) this.hosts.delete(hostKey)
          gone()
        })
        return host
      })
      this.hosts.set(hostKey, pending)
      pending.catch(() => this.hosts.get(hostKey) === pending && this.hosts.delete(hostKey))
    }
    return pending
  }

  /** Closes every connection, jump hosts included. */
  async closeAll(): Promise<void> {
    await this.bound.closeAll()
    const clients = await Promise.allSettled([...this.connections.values()])
    this.connections.clear()
    this.hosts.clear()
    await Promise.all(clients.flatMap((c) => (c.status === 'fulfilled' ? [closeClient(c.value)] : [])))
  }
}

/**
 * Where `target` (`[user@]host[:port]`, host maybe an ssh config alias) really is. Kamal hands
 * net-ssh the user and port explicitly, so ssh.user and ssh.port win over the file's User and
 * Port; `user@` and `:port` in the target win over both.
 */
export function endpointFor(target: string, given: { user?: string | undefined; port?: number | undefined }, configs: SshConfigs, name?: string): Hop {
  const t = parseTarget(target)
  const s = configs.resolve(t.host, localUser())
  const user = t.user ?? given.user ?? s.user ?? 'root'
  return { name: name ?? t.host, alias: t.host, user, host: s.hostName ?? t.host, port: t.port ?? given.port ?? s.port ?? 22 }
}

/** An endpoint and the name the ssh config knows it by. */
type Hop = SshEndpoint & { alias: string }

const localUser = (): string => {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? ''
  }
}

/** One host on its own connection (and its own jump connection); close() ends both. */
export async function connect(target: string, options: SshOptions & { name?: string }): Promise<RemoteHost> {
  const pool = new SshPool(options)
  try {
    const host = await pool.host(target, options.name)
    return {
      name: host.name,
      exec: (a, o) => host.exec(a, o),
      upload: (c, p, m) => host.upload(c, p, m),
      ...(host.stream ? { stream: host.stream.bind(host) } : {}),
      // The host's own close() first, so later commands fail instead of dialing again; then the jump connection.
      close: () => host.close().then(() => pool.closeAll()),
    }
  } catch (e) {
    await pool.closeAll()
    throw e
  }
}
