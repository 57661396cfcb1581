import type { HostState, ObservedContainer } from '../argv/observation.js'
import { isTargetAliasOf, latestTagName, proxyServiceName, type AppRef } from '../argv/names.js'
import { splitTarget } from '../argv/proxy-list.js'

/** Readings of an observation the planner needs, all by labels and ids, never by names. */

/** This service + role + destination. A container without a destination label has destination ''. */
export const inScope = (ref: AppRef) => (c: ObservedContainer): boolean =>
  c.service === ref.service && c.role === ref.role && c.destination === (ref.destination ?? '')

/** States in which a container holds its role (and must be stopped when it is not the target). */
export const isActive = (c: ObservedContainer): boolean => c.state === 'running' || c.state === 'restarting' || c.state === 'paused'

/** Docker's `Created` with the fraction padded to nanoseconds, so it sorts as text. */
export function createdKey(created: string): string {
  return created.replace(/^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/, (_, head: string, frac: string | undefined, tail: string) => `${head}.${(frac ?? '').padEnd(9, '0')}${tail}`)
}

/** Newest first; ties (same nanosecond) by id so the order never depends on input order. */
export const newestFirst = (a: ObservedContainer, b: ObservedContainer): number => {
  const ka = createdKey(a.created)
  const kb = createdKey(b.created)
  if (ka !== kb) return ka < kb ? 1 : -1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/**
 * Of the containers already carrying the desired digest, the one to reuse: a running one first,
 * then the newest. (A killed run, or a rollback to a retained version, leaves one behind.)
 */
export function reusable(scope: ObservedContainer[], digest: string): ObservedContainer | null {
  const same = scope.filter((c) => c.digest === digest && c.state !== 'removing' && c.state !== 'dead').sort(newestFirst)
  return same.find((c) => c.state === 'running') ?? same.find(isActive) ?? same[0] ?? null
}

/** Does a kamal-proxy target (`host:port`) name this container? By id, name, or our alias. */
export function targetNames(target: string, c: ObservedContainer, port: number): boolean {
  const t = splitTarget(target)
  if (t.port !== port) return false
  return t.host === c.id || t.host === c.id.slice(0, 12) || t.host === c.name || (c.digest !== null && isTargetAliasOf(t.host, c.digest))
}

/** True when kamal-proxy's route for this role sends all traffic to exactly this container. */
export function routedTo(seen: HostState, ref: AppRef, c: ObservedContainer, port: number): boolean {
  const route = seen.routes?.find((r) => r.service === proxyServiceName(ref))
  return route !== undefined && route.targets.length === 1 && targetNames(route.targets[0] ?? '', c, port)
}

/**
 * Kamal's "current container" of a role on a host: the running one created from the image tagged
 * latest (`latest-<dest>`; the tag moves only after a deploy succeeded everywhere, so that
 * container is known good), else the newest running one (a run stopped before tagging); null when
 * none runs. Needs a full look (image ids and tags).
 */
export function currentContainer(seen: HostState, ref: AppRef): ObservedContainer | null {
  const running = seen.containers.filter((c) => inScope(ref)(c) && c.state === 'running').sort(newestFirst)
  const latest = seen.images?.find((i) => i.tag === latestTagName(ref.destination))?.id
  return running.find((c) => latest !== undefined && c.imageId === latest) ?? running[0] ?? null
}

/** This role's containers on a host, newest first: what `cutover versions` shows; `current` as above. */
export function roleContainers(seen: HostState, ref: AppRef): { name: string; version: string | null; state: string; created: string; digest: string | null; current: boolean }[] {
  const current = currentContainer(seen, ref)
  return seen.containers
    .filter(inScope(ref))
    .sort(newestFirst)
    .map((c) => ({ name: c.name, version: c.version, state: c.state, created: c.created, digest: c.digest, current: c === current }))
}
