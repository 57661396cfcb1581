import type { ObservedContainer } from '../argv/observation.js'

/**
 * Roles of this service (and destination) that run on a host but are no longer in the config
 * for it: what a plan reports as "role removed". Pure. Only running containers count: retained,
 * stopped ones are rollback material, not something the host serves.
 */
export function removedRoles(containers: readonly ObservedContainer[], app: { service: string; destination: string }, desiredRoles: readonly string[]): string[] {
  const keep = new Set(desiredRoles)
  const running = containers.filter((c) => c.state === 'running' && c.service === app.service && c.destination === app.destination && c.role !== '' && !keep.has(c.role))
  return [...new Set(running.map((c) => c.role))].sort()
}
