import type { HostState } from '../argv/observation.js'
import type { DeployConfig } from '../config/index.js'
import { observeQueryFor } from '../plan/desired.js'
import { createdKey, roleContainers } from '../plan/scope.js'
import type { Hosts } from './hosts.js'
import { observeHost } from './observe.js'
import { configApp, configHosts } from './targets.js'

export interface RetainedOnHost {
  host: string
  role: string
  containers: ReturnType<typeof roleContainers>
  /** Why the host could not be read, secrets redacted (with `hosts.redact`, which a Session has). */
  error?: string
}

/** Every role's containers on every host, read with the same one-round-trip observe as deploy. */
export async function retainedVersions(config: DeployConfig, hosts: Hosts): Promise<RetainedOnHost[]> {
  const redact = hosts.redact ?? ((text: string) => text)
  const app = configApp(config)
  const query = observeQueryFor(app, 'full')
  type Seen = { state: HostState } | { error: string }
  const states = new Map<string, Seen>(
    await Promise.all(
      configHosts(config).map(async ({ host }): Promise<[string, Seen]> => {
        try {
          return [host, { state: await observeHost(await hosts.host(host), query) }]
        } catch (e) {
          return [host, { error: redact(e instanceof Error ? e.message : String(e)) }]
        }
      }),
    ),
  )
  return config.roles.flatMap((role) =>
    role.hosts.map(({ host }): RetainedOnHost => {
      const seen = states.get(host)
      if (!seen) return { host, role: role.name, containers: [], error: 'not observed' }
      if ('error' in seen) return { host, role: role.name, containers: [], error: seen.error }
      return { host, role: role.name, containers: roleContainers(seen.state, { service: app.service, role: role.name, destination: app.destination }) }
    }),
  )
}

/** Distinct versions retained anywhere, newest first across every host and role: what a failed rollback lists. */
export function versionNames(hosts: readonly RetainedOnHost[]): string[] {
  const containers = hosts.flatMap((h) => h.containers).filter((c): c is typeof c & { version: string } => c.version !== null)
  const newestFirst = [...containers].sort((a, b) => {
    const [ka, kb] = [createdKey(a.created), createdKey(b.created)]
    return ka < kb ? 1 : ka > kb ? -1 : 0
  })
  return [...new Set(newestFirst.map((c) => c.version))]
}
