import type { Logger } from '../log.js'
import { Barrier } from './barrier.js'
import type { HostResult } from './result.js'

/** Kamal `boot:` as the engine uses it: groups of `limit` hosts (null: all at once), `waitS` apart. */
export interface BootSettings {
  limit: number | null
  waitS: number
}

/**
 * Hosts in boot groups of `limit`, in the order given. The order is the targets' order, which puts
 * the primary role's hosts first (targets.ts), so the first groups are the ones that can open
 * Kamal's barrier. No limit, or a limit as large as the list: one group.
 */
export function bootGroups<T>(items: readonly T[], limit: number | null): T[][] {
  if (items.length === 0) return []
  if (limit === null || limit >= items.length) return [[...items]]
  const size = Math.max(1, Math.floor(limit))
  const groups: T[][] = []
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size))
  return groups
}

export interface GroupHost {
  host: string
  /** Whether the primary role has work here (or its host failed before running: it cannot open the barrier). */
  primaryWork: boolean
}

export interface GroupRunOptions<H extends GroupHost> {
  boot: BootSettings
  logger: Logger
  /** The primary role is already healthy with this version on some host: the barrier is open from the start. */
  primaryHealthy: boolean
  /** Told each group's hosts just before the group runs (the fleet rollback's members join here). */
  beforeGroup?: (group: readonly H[]) => void
  /** Converge one host; never rejects (deploy.ts's runHost collects failures as results). */
  run: (host: H, barrier: Barrier) => Promise<HostResult[]>
  /** Results for a host left untouched because an earlier group failed. */
  untouched: (host: H, why: string) => HostResult[]
  /**
   * Wraps one group's boot (deploy.ts: Kamal's pre-app-boot and post-app-boot hooks around it, with
   * that group's hosts); default: just boot. A rejection (a failing hook) stops the rollout there:
   * the later groups are not touched.
   */
  aroundGroup?: (group: readonly H[], boot: () => Promise<HostResult[]>) => Promise<HostResult[]>
  sleep?: (ms: number) => Promise<void>
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Converge hosts group by group: every host of a group in parallel, the next group only after the
 * whole group succeeded (and `boot.wait` seconds passed). A failed group stops the rollout: the
 * later groups are not touched and keep their old version; earlier groups keep the new one.
 *
 * The barrier is per group so it cannot deadlock: a worker waits only on primary-role hosts of its
 * own group, which all settle (healthy or failed) within the group. Once the primary role was
 * healthy in an earlier group (or already was before the run), later groups start open; a group
 * without primary-role work comes after every group with it (primary hosts come first), so by then
 * the primary role has been healthy somewhere or had no work at all.
 */
export async function runInGroups<H extends GroupHost>(hosts: readonly H[], opts: GroupRunOptions<H>): Promise<HostResult[]> {
  const groups = bootGroups(hosts, opts.boot.limit)
  const sleep = opts.sleep ?? realSleep
  const many = groups.length > 1
  let open = opts.primaryHealthy
  const results: HostResult[] = []
  for (const [i, group] of groups.entries()) {
    const label = `boot group ${i + 1} of ${groups.length}`
    if (many) opts.logger.info(`${label}: ${group.map((h) => h.host).join(', ')}`)
    const barrier = new Barrier(open ? 0 : group.filter((h) => h.primaryWork).length)
    opts.beforeGroup?.(group)
    const boot = async (): Promise<HostResult[]> => (await Promise.all(group.map((h) => opts.run(h, barrier)))).flat()
    const done = opts.aroundGroup ? await opts.aroundGroup(group, boot) : await boot()
    results.push(...done)
    const failed = done.filter((r) => r.action === 'failed')
    if (failed.length > 0) {
      const later = groups.slice(i + 1).flat()
      if (later.length > 0) {
        const why = `not deployed: ${label} failed (${[...new Set(failed.map((r) => r.host))].join(', ')}); this host keeps its previous version`
        opts.logger.error(`${label} failed: stopping the rollout; ${later.map((h) => h.host).join(', ')} keep${later.length === 1 ? 's' : ''} the previous version`)
        results.push(...later.flatMap((h) => opts.untouched(h, why)))
      }
      return results
    }
    // Every primary host of the group succeeded, so the primary role is healthy somewhere now.
    if (group.some((h) => h.primaryWork)) open = true
    if (many) opts.logger.info(`${label} done`)
    if (i + 1 < groups.length && opts.boot.waitS > 0) await waitBetween(opts.boot.waitS, `boot group ${i + 2} of ${groups.length}`, opts.logger, sleep)
  }
  return results
}

/** Kamal's `boot.wait`, with a progress line at least every 10 s. */
async function waitBetween(seconds: number, next: string, logger: Logger, sleep: (ms: number) => Promise<void>): Promise<void> {
  for (let left = seconds; left > 0; left -= 10) {
    logger.info(`waiting ${left}s (boot.wait) before ${next}`)
    await sleep(Math.min(10, left) * 1000)
  }
}
