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
}

export interface DeployResult {
  version: string
  image: string
  /** True when any host did anything. */
  changed: boolean
  hosts: HostResult[]
}
