import type { SecretUse } from '../../secrets/load.js'
import type { EnvBlock } from '../schema/env.js'
import type { RootInput } from '../schema/root.js'
import type { HostEntry, RoleInput } from '../schema/servers.js'
import type { EnvSettings, Host, LoggingConfig, RoleConfig } from '../types.js'
import { isPlainMap } from '../yaml.js'
import { DEFAULTS } from './defaults.js'
import { mergeProxy, resolveProxy } from './proxy.js'

/** A normalisation error before it is located in a file (the loader adds file and line). */
export interface Problem {
  keyPath: string
  message: string
  expected: string
}
export interface Notice {
  keyPath: string
  message: string
}
export interface Collector {
  problems: Problem[]
  notices: Notice[]
  uses: SecretUse[]
}

export function toHost(entry: HostEntry): Host {
  const m = /^\[(.+)\](?::(\d+))?$/.exec(entry.host) ?? (entry.host.split(':').length === 2 ? /^([^:]+):(\d+)$/.exec(entry.host) : null)
  const hostname = m ? m[1]! : entry.host
  return { host: entry.host, hostname, ...(m?.[2] ? { port: Number(m[2]) } : {}), tags: entry.tags }
}

/** Kamal's env merge: later clear values and secrets win by name, whichever kind they were before. */
export function mergeEnv(base: EnvSettings, over: EnvSettings): EnvSettings {
  const overNames = new Set([...Object.keys(over.clear), ...over.secret.map((s) => s.name)])
  return {
    clear: { ...Object.fromEntries(Object.entries(base.clear).filter(([k]) => !overNames.has(k))), ...over.clear },
    secret: [...base.secret.filter((s) => !overNames.has(s.name)), ...over.secret],
  }
}

export const envOf = (block: EnvBlock | undefined): EnvSettings => ({ clear: block?.clear ?? {}, secret: block?.secret ?? [] })

export function useEnvSecrets(env: EnvSettings, path: string, c: Collector): void {
  env.secret.forEach((s, i) => c.uses.push({ name: s.secret, keyPath: `${path}/secret/${i}` }))
}

function mergeLogging(root: RootInput['logging'], role: RoleInput['logging']): LoggingConfig {
  const driver = role?.driver ?? root?.driver
  const options = { ...root?.options, ...role?.options }
  // Kamal caps container logs when nothing else is said.
  if (driver === undefined && Object.keys(options).length === 0) return { options: { 'max-size': '10m' } }
  return { ...(driver !== undefined ? { driver } : {}), options }
}

/**
 * Roles as Kamal builds them: sorted by name; root env, labels, logging and proxy settings with
 * the role's over them; the proxy on the primary role unless `proxy: false`, and on other roles
 * only with `proxy: true` or settings.
 */
export function resolveRoles(input: RootInput, raw: Record<string, unknown>, c: Collector): RoleConfig[] {
  const primaryName = input.primary_role ?? 'web'
  const listForm = Array.isArray(raw.servers)
  const rawRoles = isPlainMap(raw.servers) ? raw.servers : {}
  const rootEnv = envOf(input.env)
  const timeouts = { deployTimeout: input.deploy_timeout ?? DEFAULTS.deployTimeout, drainTimeout: input.drain_timeout ?? DEFAULTS.drainTimeout }
  const names = Object.keys(input.servers).sort()

  if (!names.includes(primaryName)) {
    c.problems.push(
      input.primary_role !== undefined
        ? { keyPath: 'primary_role', message: `names the role ${JSON.stringify(primaryName)}, which is not under servers`, expected: `one of: ${names.join(', ')}` }
        : { keyPath: 'servers', message: 'has no web role', expected: `a web role, or primary_role set to one of: ${names.join(', ')}` },
    )
  }

  const roles = names.map((name): RoleConfig => {
    const role = input.servers[name]!
    const base = listForm ? 'servers' : `servers/${name}`
    const hostsPath = listForm || Array.isArray(rawRoles[name]) ? base : `${base}/hosts`
    const primary = name === primaryName
    const hosts = (role.hosts ?? []).map(toHost)
    checkHosts(name, hosts, hostsPath, primary, input.allow_empty_roles === true, c)

    const roleEnv = envOf(role.env)
    useEnvSecrets(roleEnv, `${base}/env`, c)
    const running = primary ? role.proxy !== false : role.proxy !== undefined && role.proxy !== false
    const roleProxy = typeof role.proxy === 'object' ? role.proxy : undefined
    const proxy = running ? resolveProxy(mergeProxy(input.proxy, roleProxy), timeouts) : undefined
    if (proxy) checkSsl(name, proxy, hosts.length, roleProxy?.ssl !== undefined ? `${base}/proxy/ssl` : 'proxy/ssl', c)

    const { restart, ...options } = role.options ?? {}
    const stopTimeout = role.stop_timeout ?? input.stop_timeout ?? (proxy ? undefined : timeouts.drainTimeout)
    return {
      name,
      primary,
      hosts,
      ...(role.cmd !== undefined ? { cmd: role.cmd } : {}),
      options,
      restartPolicy: typeof restart === 'string' ? restart : 'unless-stopped',
      labels: { ...input.labels, ...role.labels },
      env: mergeEnv(rootEnv, roleEnv),
      logging: mergeLogging(input.logging, role.logging),
      ...(proxy ? { proxy } : {}),
      ...(stopTimeout !== undefined ? { stopTimeout } : {}),
      // x-cutover may say otherwise: normalize/strategy.ts.
      strategy: 'blue-green',
    }
  })
  checkSslHostsUnique(roles, c)
  return roles
}

function checkHosts(name: string, hosts: Host[], path: string, primary: boolean, allowEmpty: boolean, c: Collector): void {
  if (hosts.length === 0 && (primary || !allowEmpty)) {
    c.problems.push({
      keyPath: path,
      message: `role ${name} has no hosts`,
      expected: primary ? 'at least one host for the primary role' : 'at least one host (or allow_empty_roles: true)',
    })
  }
  const seen = new Set<string>()
  hosts.forEach((h, i) => {
    if (seen.has(h.host)) c.problems.push({ keyPath: `${path}/${i}`, message: `${JSON.stringify(h.host)} is listed twice in role ${name}`, expected: 'each host once per role' })
    seen.add(h.host)
  })
}

function checkSsl(name: string, proxy: NonNullable<RoleConfig['proxy']>, hostCount: number, path: string, c: Collector): void {
  if (!proxy.ssl) return
  if (proxy.hosts.length === 0) {
    c.problems.push({ keyPath: path, message: `turns on TLS for role ${name}, which has no proxy host`, expected: 'proxy host or hosts next to ssl (certificates are issued for a name)' })
  } else if (!proxy.sslCertificate && hostCount > 1) {
    c.problems.push({
      keyPath: path,
      message: `turns on automatic TLS for role ${name}, which runs on ${hostCount} hosts`,
      expected: "one host per role for Let's Encrypt, or custom certificates (ssl: {certificate_pem, private_key_pem})",
    })
  }
}

/** Kamal: different roles can't share a host name for TLS. */
function checkSslHostsUnique(roles: RoleConfig[], c: Collector): void {
  const owner = new Map<string, string>()
  for (const role of roles) {
    if (!role.proxy?.ssl) continue
    for (const host of role.proxy.hosts) {
      const other = owner.get(host)
      if (other) c.problems.push({ keyPath: `servers/${role.name}/proxy`, message: `uses the TLS host ${host}, which role ${other} uses too`, expected: 'a different proxy host per role when ssl is on' })
      else owner.set(host, role.name)
    }
  }
}
