import type { HostState } from '../argv/observation.js'
import { NO_HOOKS, type DeployHooks } from '../hooks/lifecycle.js'
import type { Logger } from '../log.js'
import { observeQueryFor, type DesiredRole } from '../plan/desired.js'
import { HostClaimedError } from '../plan/claims.js'
import { planHost, type HostPlan } from '../plan/host.js'
import { removedRoles } from '../plan/removed-roles.js'
import { describeStep } from '../plan/steps.js'
import { runInGroups, type BootSettings } from './boot-groups.js'
import type { Hosts } from './hosts.js'
import { runHost } from './run-host.js'
import { tagLatest } from './latest-tag.js'
import { FleetRollback } from './fleet-rollback.js'
import { unreachableHosts, unreachableResults } from './unreachable.js'
import { withLock, type LockRequest } from './lock.js'
import { observeHost } from './observe.js'
import type { PauseAt } from './pause.js'
import { withProgress } from './progress.js'
import { changedAny, type DeployResult, type HostResult } from './result.js'

/** Every role to converge on one host, primary role first. */
export interface HostTarget {
  host: string
  roles: DesiredRole[]
}

export interface ConvergeRequest {
  version: string
  image: string
  targets: HostTarget[]
  lock: LockRequest
  /** The role whose health gates the others' old containers (Kamal's barrier). */
  primaryRole?: string
  /** Kamal `boot:`: hosts in groups (boot-groups.ts); absent: every host at once. */
  boot?: BootSettings
  /** `repository:latest[-dest]` to tag `image` as on every host once every group succeeded; absent: no tag (a PR preview). */
  latestTag?: string
  /** `x-cutover/verify/fleet_rollback` (default true): one host rolling back rolls back every host. */
  fleetRollback?: boolean
  /** `--allow-unreachable`: deploy to the hosts that can be reached; default: change no host if any cannot be. */
  allowUnreachable?: boolean
}

export interface DeployDeps {
  pool: Hosts
  logger: Logger
  redact: (text: string) => string
  pauseAt?: PauseAt | undefined
  now?: () => number
  onLock?: ((held: { release: () => Promise<void> } | null) => void) | undefined
  /** Where a host's lines go; default: the logger, prefixed `[host]`. */
  hostLog?: ((host: string) => Logger) | undefined
  /** Kamal's pre-deploy and pre/post-app-boot hooks (src/hooks), the edge's RunHooks.kamalHooks; default none. */
  kamalHooks?: DeployHooks | undefined
}

export interface DryRunHost {
  host: string
  roles: { role: string; outcome: string; container: string; steps: string[]; notes: string[]; changes: string[] }[]
  /** Roles of this app that run here but are not in the config for this host (a plan says "removed"; a deploy leaves them alone). */
  removedRoles?: string[]
  error?: string
}

type Observed = { host: string; state: HostState } | { host: string; error: string }

/**
 * observe → plan → execute. A first read-only pass plans every host; when no host has anything
 * to do, the run ends there: no lock, no login, no pull, nothing written. Otherwise it takes the
 * deploy lock, observes again under it (another deploy may have finished meanwhile), and runs
 * only the missing steps, every host in parallel, collecting every host's result.
 *
 * The first pass is a first look (see observe.ts): whether a host is unchanged depends only on
 * its containers' states and labels and on the routes, so it reads those from one `docker ps`
 * and lists no tags; the steps that need more (pull, prune, ordering by age) are planned from the
 * full look under the lock. That is 2 docker CLI runs per host on an unchanged deploy, not 4.
 */
export async function deploy(req: ConvergeRequest, deps: DeployDeps): Promise<DeployResult> {
  const now = deps.now ?? Date.now
  const started = now()
  const first = await observeAll(req.targets, deps, 'first')
  const plans = first.map((o) => planOrError(o, req.targets))
  const unreachable = unreachableHosts(first, req.allowUnreachable, deps.logger)
  if (unreachable) return result(req, unreachableResults(plans, unreachable, () => now() - started))
  // Another service holds a wanted host name somewhere: no host changes, not even the free ones.
  if (plans.some((p) => 'claimed' in p)) return result(req, plans.map((p) => refused(p, plans, () => now() - started)).flat())
  if (plans.every((p) => 'plan' in p && p.plan.steps.length === 0)) {
    deps.logger.info('every host already runs this version with these settings: nothing to do')
    return result(req, plans.map((p) => hostResults(p, () => now() - started)).flat())
  }
  if (plans.some((p) => 'error' in p) && plans.every((p) => 'error' in p || p.plan.steps.length === 0)) {
    return result(req, plans.map((p) => hostResults(p, () => now() - started)).flat())
  }

  const hooks = deps.kamalHooks ?? NO_HOOKS
  return withLock(req.lock, deps, async () => {
    // Kamal's order: the first thing under the lock, before anything on a host changes.
    await hooks.preDeploy()
    const observed = await observeAll(req.targets, deps)
    const again = observed.map((o) => planOrError(o, req.targets))
    const lost = unreachableHosts(observed, req.allowUnreachable, deps.logger)
    if (lost) return result(req, unreachableResults(again, lost, () => now() - started))
    // One fleet for the run; each boot group's members join it just before the group runs, so a
    // member never waits for a host of a later group (fleet-rollback.ts).
    const fleet = new FleetRollback(req.fleetRollback ?? true)
    // The CLI's `[host]` prefixes padded to the longest name, so the lines of 10+ hosts (vm9, vm10) stay in columns.
    const width = Math.max(...req.targets.map((t) => t.host.length))
    const hostDeps: DeployDeps = deps.hostLog ? deps : { ...deps, hostLog: (h) => deps.logger.child(`[${h}]${' '.repeat(width - h.length)}`) }
    // Kamal's boot groups (boot-groups.ts): one group, all hosts at once, without `boot.limit`.
    const hosts = await runInGroups(again.map((p) => ({ ...p, primaryWork: primaryWork(p, req.primaryRole) })), {
      boot: req.boot ?? { limit: null, waitS: 0 },
      logger: deps.logger,
      primaryHealthy: primaryUnchanged(again, req.primaryRole),
      beforeGroup: (group) => expectMembers(fleet, group),
      run: async (planned, barrier) => {
        if (!('error' in planned)) return runHost(planned.host, planned.plan, hostDeps, now, { barrier, primaryRole: req.primaryRole }, fleet)
        if (planned.primaryWork) barrier.primaryFailed()
        // Only with --allow-unreachable does a host that cannot be observed get this far: it is left out, not failed over.
        return hostResults(planned, () => now() - started)
      },
      untouched: untouchedResults,
      // Kamal's pre-app-boot / post-app-boot, once per group, KAMAL_HOSTS = the group's hosts that boot something.
      aroundGroup: (group, boot) => hooks.bootGroup(group.filter(hasWork).map((p) => p.host), boot, (done) => done.every((h) => h.action !== 'failed')),
    })
    const settled = await undoFinished(fleet, hosts)
    if (req.latestTag && !settled.some((h) => h.action === 'failed')) {
      // The CLI says it per host; the Action's host log groups are closed by now (a late line would
      // open a second group for the host), so there it is a debug line of the run.
      const hostLine = deps.hostLog ? undefined : (host: string) => deps.logger.child(`[${host}]`).child(`${req.targets.find((t) => t.host === host)?.roles[0]?.role ?? 'app'}:`)
      if (deps.hostLog) deps.logger.debug(`tagging ${req.image} as ${req.latestTag} on every host`)
      await tagLatest(req.image, req.latestTag, req.targets.map((t) => t.host), { ...deps, ...(hostLine ? { hostLine } : {}) })
    }
    return result(req, settled)
  })
}

/** Plans only, for `--dry-run`: what each host would do, nothing changed, no lock taken. */
export async function dryRun(req: ConvergeRequest, deps: DeployDeps): Promise<DryRunHost[]> {
  const observed = await observeAll(req.targets, deps)
  return observed.map((o) => {
    const planned = planOrError(o, req.targets)
    if ('error' in planned) return { host: o.host, roles: [], error: planned.error }
    const roles = req.targets.find((t) => t.host === o.host)?.roles ?? []
    const first = roles[0]
    const removed = first && 'state' in o ? removedRoles(o.state.containers, { service: first.service, destination: first.destination ?? '' }, roles.map((r) => r.role)) : []
    return {
      host: o.host,
      ...(removed.length ? { removedRoles: removed } : {}),
      roles: planned.plan.roles.map((r) => ({ role: r.role, outcome: r.result.outcome, container: r.result.container, steps: r.steps.map(describeStep), notes: r.result.notes, changes: r.result.changes ?? [] })),
    }
  })
}

async function observeAll(targets: readonly HostTarget[], deps: DeployDeps, look: 'first' | 'full' = 'full'): Promise<Observed[]> {
  return Promise.all(
    targets.map(async (t): Promise<Observed> => {
      const first = t.roles[0]
      if (!first) return { host: t.host, error: 'no roles to deploy on this host' }
      try {
        const observing = deps.pool.host(t.host).then((host) => observeHost(host, observeQueryFor(first, look)))
        return { host: t.host, state: await withProgress(deps.logger, t.host, 'connect and observe', observing) }
      } catch (e) {
        return { host: t.host, error: deps.redact(e instanceof Error ? e.message : String(e)) }
      }
    }),
  )
}

type Planned = { host: string; plan: HostPlan } | { host: string; error: string; roles: string[]; claimed?: true }

function planOrError(o: Observed, targets: readonly HostTarget[]): Planned {
  const roles = targets.find((t) => t.host === o.host)?.roles ?? []
  if ('error' in o) return { host: o.host, error: o.error, roles: roles.map((r) => r.role) }
  try {
    return { host: o.host, plan: planHost(roles, o.state) }
  } catch (e) {
    return { host: o.host, error: e instanceof Error ? e.message : String(e), roles: roles.map((r) => r.role), ...(e instanceof HostClaimedError ? { claimed: true as const } : {}) }
  }
}

/** Every host's result when a host name is held by another service on some host: failed, each saying where. */
function refused(p: Planned, all: readonly Planned[], elapsed: () => number): HostResult[] {
  if ('error' in p) return hostResults(p, elapsed)
  const where = all.filter((x) => 'claimed' in x).map((x) => x.host)
  const error = `not deployed: the host name is held by another service on ${where.join(', ')} (see there); nothing was changed`
  return p.plan.roles.map((r) => ({ host: p.host, role: r.role, action: 'failed', container: r.result.container, durationMs: elapsed(), error }))
}

/** Results for a host that was only observed (unchanged everywhere, or failed before running). */
function hostResults(p: Planned, elapsed: () => number): HostResult[] {
  if ('error' in p) return p.roles.map((role) => ({ host: p.host, role, action: 'failed', durationMs: elapsed(), error: p.error }))
  return p.plan.roles.map((r) => ({ host: p.host, role: r.role, action: 'unchanged', container: r.result.container, durationMs: elapsed() }))
}

/** The host has steps to run: it boots something in its group (Kamal's app-boot hooks name it). */
function hasWork(p: Planned): boolean {
  return 'plan' in p && p.plan.steps.length > 0
}

/** The primary role has work on this host (or the host failed before it could run it). */
function primaryWork(p: Planned, primaryRole: string | undefined): boolean {
  if (!primaryRole) return false
  if (!('plan' in p)) return p.roles.includes(primaryRole)
  return (p.plan.roles.find((r) => r.role === primaryRole)?.steps.length ?? 0) > 0
}

/**
 * The barrier is open from the start when the primary role is already healthy with this version
 * somewhere (unchanged there) or is not part of the run at all.
 */
function primaryUnchanged(plans: readonly Planned[], primaryRole: string | undefined): boolean {
  if (!primaryRole) return true
  return plans.some((p) => 'plan' in p && p.plan.roles.some((r) => r.role === primaryRole && r.steps.length === 0))
}

/** A host an earlier boot group's failure kept from running: roles with work fail, the rest are unchanged. */
function untouchedResults(p: Planned, why: string): HostResult[] {
  if ('error' in p) return p.roles.map((role) => ({ host: p.host, role, action: 'failed', durationMs: 0, error: why }))
  return p.plan.roles.map((r) =>
    r.steps.length === 0
      ? { host: p.host, role: r.role, action: 'unchanged', container: r.result.container, durationMs: 0 }
      : { host: p.host, role: r.role, action: 'failed', container: r.result.container, durationMs: 0, error: why },
  )
}

function result(req: ConvergeRequest, hosts: HostResult[]): DeployResult {
  return { version: req.version, image: req.image, changed: changedAny(hosts), hosts }
}

/** Every (host, role) of a boot group that will switch and then watch its new container is a fleet member. */
function expectMembers(fleet: FleetRollback, plans: readonly Planned[]): void {
  for (const p of plans) {
    if (!('plan' in p)) continue
    for (const r of p.plan.roles) if (r.steps.some((s) => s.kind === 'verify')) fleet.expect(p.host, r.role)
  }
}

/**
 * A member that went on (its role passed everywhere) before a later role failed is switched back
 * too, so the fleet ends on one version; its result says so.
 */
async function undoFinished(fleet: FleetRollback, hosts: HostResult[]): Promise<HostResult[]> {
  const undone = await fleet.undoFinished()
  return hosts.map((h) => {
    const u = undone.find((x) => x.host === h.host && x.role === h.role)
    return u ? { ...h, action: 'failed', rolledBack: true, error: u.said } : h
  })
}
