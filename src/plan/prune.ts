import * as docker from '../argv/docker.js'
import type { HostState, ObservedContainer } from '../argv/observation.js'
import type { AppRef } from '../argv/names.js'
import type { Argv } from '../argv/shell-join.js'
import { unusedImages } from './plan.js'
import { currentContainer, inScope, isActive, newestFirst } from './scope.js'

export interface PruneStep {
  /** What it does, for the log. */
  what: string
  argv: Argv
}

/**
 * `cutover prune`: the tidy-up a deploy ends with, on its own. Per role, stopped containers beyond
 * `retain` (newest kept, for rollback) are removed; the current and every running container are
 * kept. Then the repository's tags no remaining container uses (Kamal's `latest` kept), and this
 * service's dangling images. Pure: the same observation gives the same steps.
 */
export function prunePlan(seen: HostState, app: Pick<AppRef, 'service' | 'destination'>, roles: readonly string[], retain: number): PruneStep[] {
  const removed: ObservedContainer[] = []
  for (const role of roles) {
    const ref = { ...app, role }
    const current = currentContainer(seen, ref)
    const old = seen.containers.filter((c) => inScope(ref)(c) && c !== current && !isActive(c) && c.state !== 'removing').sort(newestFirst)
    removed.push(...old.slice(retain))
  }
  const steps: PruneStep[] = []
  if (removed.length > 0) steps.push({ what: `remove old containers ${removed.map((c) => c.name).join(', ')}`, argv: docker.rm(removed.map((c) => c.id)) })
  const images = unusedImages(null, seen, new Set(removed))
  if (images.length > 0) steps.push({ what: `remove unused images ${images.join(', ')}`, argv: docker.removeImages(images) })
  steps.push({ what: 'prune dangling images', argv: docker.pruneDanglingImages(app.service) })
  return steps
}
