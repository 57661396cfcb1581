import { parseObservation, type HostState } from '../commands/observation.js'
import { observe } from '../commands/observe.js'
import { lockDirectory } from '../commands/names.js'
import type { DeployConfig } from '../config/index.js'
import { roleContainers } from '../plan/scope.js'
import type { Hosts } from './hosts.js'

export interface RetainedOnHost {
  host: string
  role: string
  containers: ReturnType<typeof roleContainers>
  error?: string
}

/** Every role's containers on every host, read with the same one-round-trip observe as deploy. */
export async function retainedVersions(config: DeployConfig, hosts: Hosts): Promise<RetainedOnHost[]> {
  const app = { service: config.service, destination: config.destination ?? null }
  const query = { look: 'full', repository: config.repository, lockDir: lockDirectory(app) } as const
  const pairs = config.roles.flatMap((role) => role.hosts.map((h) => ({ host: h.host, role: role.name })))
  const uniqueHosts = [...new Set(pairs.map((p) => p.host))]
  type Seen = { state: HostState } | { error: string }
  const states = new Map<string, Seen>(
    await Promise.all(
      uniqueHosts.map(async (host): Promise<[string, Seen]> => {
        try {
          const h = await hosts.host(host)
          const r = await h.exec(observe(query), { timeoutMs: 60_000 })
          return [host, { state: parseObservation(r.stdout) }]
        } catch (e) {
          return [host, { error: e instanceof Error ? e.message : String(e) }]
        }
      }),
    ),
  )
  return pairs.map(({ host, role }) => {
    const seen = states.get(host)
    if (!seen) return { host, role, containers: [], error: 'not observed' }
    if ('error' in seen) return { host, role, containers: [], error: seen.error }
    return { host, role, containers: roleContainers(seen.state, { service: config.service, role, destination: config.destination ?? null }) }
  })
}

/** Distinct versions retained anywhere, newest first: what a failed rollback lists. */
export function versionNames(hosts: readonly RetainedOnHost[]): string[] {
  return [...new Set(hosts.flatMap((h) => h.containers.map((c) => c.version).filter((v): v is string => v !== null)))]
}
