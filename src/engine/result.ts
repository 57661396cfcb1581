/** What one run did, per host and role. This is the engine's JSON result (`--json`, the Action's `result` output). */
export type HostAction = 'unchanged' | 'replaced' | 'booted' | 'failed' | 'removed'

export interface HostResult {
  host: string
  role: string
  action: HostAction
  /** The container now serving (or that failed to), by name. */
  container?: string
  durationMs: number
  /** Why this host failed, already redacted. */
  error?: string
  /**
   * A `recreate` role that replaced a running container: how long it served nothing, from the
   * old container's stop to the new one's switch (or readiness). Absent for blue-green (no gap).
   */
  downtimeMs?: number
}

export interface DeployResult {
  version: string
  image: string
  /** True when any host now serves something else than before the run (see changedAny). */
  changed: boolean
  hosts: HostResult[]
}

/**
 * Whether a run changed what any host serves: a role booted, replaced or removed. A failed role
 * did not: it fails before traffic switches, and its new container is cleaned up (a run whose
 * every host failed, e.g. on a secret the env file cannot carry, changed nothing).
 */
export const changedAny = (hosts: readonly HostResult[]): boolean => hosts.some((h) => h.action === 'booted' || h.action === 'replaced' || h.action === 'removed')
