import type { AccessoryInput } from '../schema/accessories.js'
import type { AccessoryConfig, Host, RoleConfig } from '../types.js'
import { DEFAULTS } from './defaults.js'
import { type Collector, envOf, toHost, useEnvSecrets } from './roles.js'

const PLACEMENT = ['host', 'hosts', 'role', 'roles', 'tag', 'tags'] as const

/**
 * Kamal's accessories with their hosts resolved: exactly one of host, hosts, role, roles, tag or
 * tags says where each runs (Kamal refuses none or several). Roles and tags are looked up in
 * `servers`, so a typo is an error here rather than an accessory booted nowhere.
 */
export function resolveAccessories(input: Record<string, AccessoryInput> | undefined, service: string, roles: readonly RoleConfig[], c: Collector): AccessoryConfig[] {
  return Object.entries(input ?? {}).map(([name, a]) => {
    const at = `accessories/${name}`
    const given = PLACEMENT.filter((k) => a[k] !== undefined)
    if (given.length !== 1) {
      c.problems.push({
        keyPath: at,
        message: given.length === 0 ? 'says nowhere to run' : `gives ${given.join(' and ')}; Kamal takes only one`,
        expected: 'exactly one of host, hosts, role, roles, tag or tags',
      })
    }
    const env = envOf(a.env)
    useEnvSecrets(env, `${at}/env`, c)
    const serviceName = a.service ?? `${service}-${name}`
    return {
      name,
      serviceName,
      image: a.image,
      hosts: placeHosts(a, at, roles, c),
      ...(a.port !== undefined ? { publish: a.port.includes(':') ? a.port : `${a.port}:${a.port}` } : {}),
      ...(a.cmd !== undefined ? { cmd: a.cmd } : {}),
      env,
      volumes: a.volumes ?? [],
      directories: (a.directories ?? []).map((d) => ({ host: d.from, container: d.to })),
      files: (a.files ?? []).map((f) => ({ local: f.from, container: f.to })),
      options: a.options ?? {},
      labels: a.labels ?? {},
      network: a.network ?? DEFAULTS.network,
    }
  })
}

function placeHosts(a: AccessoryInput, at: string, roles: readonly RoleConfig[], c: Collector): Host[] {
  const out = new Map<string, Host>()
  const add = (h: Host) => out.has(h.host) || out.set(h.host, h)
  if (a.host !== undefined) add(toHost({ host: a.host, tags: [] }))
  for (const entry of a.hosts ?? []) add(toHost(entry))
  const roleNames = [...(a.role !== undefined ? [a.role] : []), ...(a.roles ?? [])]
  roleNames.forEach((name, i) => {
    const role = roles.find((r) => r.name === name)
    const keyPath = a.role !== undefined ? `${at}/role` : `${at}/roles/${i}`
    if (!role) c.problems.push({ keyPath, message: `names the role ${JSON.stringify(name)}, which servers does not list`, expected: `one of: ${roles.map((r) => r.name).join(', ')}` })
    else role.hosts.forEach(add)
  })
  const tagNames = [...(a.tag !== undefined ? [a.tag] : []), ...(a.tags ?? [])]
  tagNames.forEach((tag, i) => {
    const hosts = roles.flatMap((r) => r.hosts).filter((h) => h.tags.includes(tag))
    const keyPath = a.tag !== undefined ? `${at}/tag` : `${at}/tags/${i}`
    if (hosts.length === 0) c.problems.push({ keyPath, message: `names the tag ${JSON.stringify(tag)}, which no host under servers has`, expected: 'a tag given to hosts under servers, e.g. - 10.0.0.1: [db]' })
    hosts.forEach(add)
  })
  return [...out.values()]
}
