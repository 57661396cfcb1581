import * as audit from '../argv/audit.js'
import * as docker from '../argv/docker.js'
import type { HostState, ObservedContainer } from '../argv/observation.js'
import { auditLogPath, envDirectory, NETWORK, proxyAppsConfigDirectory, proxyServiceName, underHome } from '../argv/names.js'
import * as proxy from '../argv/proxy.js'
import { containerHostname, desiredContainer } from './container.js'
import { imageRef, type DesiredRole } from './desired.js'
import { inScope, isActive, newestFirst, reusable, routedTo } from './scope.js'
import { Secret } from './secret.js'
import { roleChanges, settingsKeySteps } from './changes.js'
import { verifyStep } from './verify.js'
import { clearPending, markPending, tidySteps } from './leftovers.js'
import { describeStep, type Exec, type Step } from './steps.js'
import { arrangeForStrategy } from './strategy.js'

export type Outcome = 'unchanged' | 'booted' | 'replaced'

export interface PlanResult {
  /** unchanged: zero steps. booted: nothing of this role existed here. replaced: anything else. */
  outcome: Outcome
  /** The container that serves this role once the steps have run. */
  container: string
  digest: string
  steps: Step[]
  /** Things seen and deliberately left alone, for the log. */
  notes: string[]
  /** What changes against the container serving now (plan/diff.ts); empty when unchanged. */
  changes?: string[]
  /** An earlier run's tidy-up this plan finishes (plan/leftovers.ts), one line per step. */
  finished?: string[]
}

const LOG_TAIL = 50
const PULL_TIMEOUT_MS = 15 * 60_000
const SLACK_MS = 30_000

/**
 * plan(desired, observed) → the missing steps. Pure: the same inputs give the same plan.
 *
 * Convergence rather than special cases: every run derives the steps from what the host shows,
 * so a run killed at any point leaves a state the next run finishes: a container with the
 * desired digest is reused (started if stopped) instead of created again; the proxy is switched
 * if it does not already route to it; whatever else of this role runs is stopped; old stopped
 * containers beyond `retain` are removed.
 */
export function plan(d: DesiredRole, seen: HostState): PlanResult {
  const want = desiredContainer(d, seen.settingsKey?.reveal() ?? null)
  const scope = seen.containers.filter(inScope(d))
  // A reboot (`app boot`) reuses nothing: a new container of the same version replaces the serving one.
  const target = d.reboot ? null : reusable(scope, want.digest)
  const port = d.proxy?.route.appPort ?? 0
  const others = scope.filter((c) => c !== target)
  const notes: string[] = []

  const routed = target !== null && d.proxy !== null && routedTo(seen, d, target, port)
  // An earlier run's switch is done and only its tidy-up is left (plan/leftovers.ts): finish that.
  const leftover = target?.state === 'running' && (d.proxy === null || routed) ? seen.pending?.[d.role] : undefined
  if (target?.state === 'running' && (d.proxy === null || routed) && !others.some(isActive) && leftover === undefined) {
    return { outcome: 'unchanged', container: target.name, digest: want.digest, steps: [], notes }
  }

  const steps: Step[] = []
  const ex = (argv: Exec['argv'], timeoutMs?: number): Exec => (timeoutMs ? { argv, timeoutMs } : { argv })

  // Host level: the network, then the proxy (it joins the network when booted). Observe sees the
  // network only through a running container on it; otherwise it is ensured, which is idempotent.
  if (!seen.network) steps.push({ kind: 'ensureNetwork', exec: ex(docker.ensureNetwork(NETWORK)) })
  if (d.proxy) {
    if (!seen.proxy) {
      const dir = underHome(seen.home, proxyAppsConfigDirectory)
      steps.push({ kind: 'mkdir', path: dir, exec: ex(['mkdir', '-p', dir]) })
      steps.push({ kind: 'runProxy', exec: ex(proxy.ensureRunning(d.proxyBoot, dir)) })
    } else if (seen.proxy.state !== 'running') {
      steps.push({ kind: 'startProxy', exec: ex(proxy.start()) })
    } else if (seen.routesError) {
      notes.push(`could not read kamal-proxy's routes (${seen.routesError}); switching anyway`)
    }
    if (seen.proxy && seen.proxy.image !== d.proxyBoot.image) {
      notes.push(`kamal-proxy runs ${seen.proxy.image}, not ${d.proxyBoot.image}, the image cutover boots; left as is (replacing it drops traffic)`)
    }
  }

  // The target container: reuse one with the desired digest, or create it.
  let name: string
  let reused: boolean
  if (target) {
    name = target.name
    reused = true
    // Kamal renamed it aside (`…_replaced_…`) when it replaced it; reused, it gets its name back,
    // so Kamal (`kamal app version`) and people read the version from the name again.
    if (name.startsWith(`${want.spec.name}_replaced_`)) {
      steps.push(...stepAside(seen, d, want.spec.name))
      steps.push({ kind: 'rename', from: name, to: want.spec.name, exec: ex(docker.rename(target.id, want.spec.name)) })
      name = want.spec.name
    }
    if (!isActive(target)) steps.push({ kind: 'start', container: name, exec: ex(docker.start(target.id)) })
  } else {
    name = want.spec.name
    reused = false
    if (!imagePresent(d, seen)) {
      const image = imageRef(d)
      steps.push(
        d.registry
          ? { kind: 'pull', image, server: d.registry.server, exec: { argv: docker.loginAndPull(d.registry.server, d.registry.username, image), stdin: new Secret(d.registry.password), timeoutMs: PULL_TIMEOUT_MS } }
          : { kind: 'pull', image, exec: ex(docker.pull(image), PULL_TIMEOUT_MS) },
      )
    }
    steps.push({ kind: 'mkdir', path: envDirectory(d), exec: ex(['mkdir', '-p', envDirectory(d)]) })
    steps.push(...settingsKeySteps(seen))
    steps.push({ kind: 'writeFile', path: want.envFilePath, mode: 0o600, content: new Secret(want.envFile), keys: Object.keys(d.env.secret).length })
    steps.push(...stepAside(seen, d, name))
    steps.push({ kind: 'run', container: name, exec: ex(docker.run(want.spec, containerHostname(d.host, d.run.nonce))) })
  }

  // Switch traffic (or, without the proxy, wait until it runs); only then touch the old ones.
  const ref = target ? target.id : name
  const onFailure = {
    logs: ex(docker.logs(ref, LOG_TAIL)),
    cleanup: reused ? ex(docker.stop([ref], d.stopTimeoutS)) : ex(docker.rm([ref], { force: true })),
  }
  if (d.proxy) {
    if (!routed) {
      const timings = { deployTimeoutS: d.deployTimeoutS, drainTimeoutS: d.drainTimeoutS }
      const argv = proxy.deploy(proxyServiceName(d), want.alias, d.proxy.route, timings)
      steps.push({ kind: 'proxyDeploy', service: proxyServiceName(d), container: name, onFailure, exec: ex(argv, (d.deployTimeoutS + d.drainTimeoutS) * 1000 + SLACK_MS) })
    }
  } else if (target?.state !== 'running') {
    steps.push({ kind: 'awaitHealthy', container: name, timeoutMs: d.deployTimeoutS * 1000, onFailure, exec: ex(docker.health(ref)) })
  }
  // After a switch, and before anything old is stopped: watch the new one (x-cutover/verify).
  const switched = steps.some((s) => s.kind === 'proxyDeploy' || s.kind === 'awaitHealthy')
  const verify = switched ? verifyStep(d, seen, { name, ref, created: !reused }, others) : null
  if (verify) steps.push(verify)

  const running = others.filter(isActive)
  if (running.length > 0) {
    const stopMs = (d.stopTimeoutS ?? 10) * 1000 + SLACK_MS
    steps.push({ kind: 'stop', containers: running.map((c) => c.name), bestEffort: true, exec: ex(docker.stop(running.map((c) => c.id), d.stopTimeoutS), stopMs) })
  }

  const removed = others.filter((c) => c.state !== 'removing').sort(newestFirst).slice(d.retain)
  if (removed.length > 0) {
    steps.push({ kind: 'remove', containers: removed.map((c) => c.name), bestEffort: true, exec: ex(docker.rm(removed.map((c) => c.id))) })
  }

  const unused = unusedImages(d.version, seen, new Set(removed))
  if (unused.length > 0) steps.push({ kind: 'removeImages', images: unused, bestEffort: true, exec: ex(docker.removeImages(unused)) })
  steps.push({ kind: 'pruneImages', bestEffort: true, exec: ex(docker.pruneDanglingImages(d.service)) })

  const outcome: Outcome = leftover !== undefined ? 'unchanged' : scope.length === 0 ? 'booted' : 'replaced'
  const line =
    leftover ??
    audit.auditLine(
      { at: d.run.at, performer: d.run.performer, destination: d.destination, role: d.role },
      `${outcome === 'booted' ? 'Booted' : d.reboot ? 'Rebooted' : 'Deployed'} app version ${d.version} as ${name}${reused ? ' (reused)' : ''}`,
    )
  steps.push({ kind: 'audit', bestEffort: true, exec: ex(audit.append(auditLogPath(d), line)) })
  if (leftover !== undefined) {
    // Nothing new is switched: this run only finishes an earlier one's tidy-up, and says so.
    steps.push(clearPending(d))
    return { outcome, container: name, digest: want.digest, steps, notes, changes: [], finished: tidySteps(steps).map(describeStep) }
  }
  // Before anything switches: if this run stops after the switch, the next one finishes its tidy-up.
  const firstTidy = steps.findIndex((s) => s.kind === 'proxyDeploy' || s.kind === 'awaitHealthy' || s.bestEffort)
  steps.splice(firstTidy < 0 ? steps.length : firstTidy, 0, markPending(d, line))
  steps.push(clearPending(d))

  return { outcome, container: name, digest: want.digest, steps: arrangeForStrategy(d, steps, running.map((c) => c.id)), notes, changes: roleChanges(d, seen, others, want.spec) }
}

/**
 * Kamal's move: whoever of this service holds `name` steps aside under a unique name, still
 * serving. Another service's container is not ours to rename.
 */
function stepAside(seen: HostState, d: DesiredRole, name: string): Step[] {
  const holder = seen.containers.find((c) => c.name === name)
  if (!holder) return []
  if (holder.service !== d.service) {
    throw new Error(`the container name ${name} is taken by a container that is not ${d.service}'s (${holder.service ? `service ${holder.service}` : 'no service label'}, id ${holder.id.slice(0, 12)}): rename or remove that container, then deploy again`)
  }
  const to = `${name}_replaced_${d.run.nonce.slice(0, 16)}`
  return [{ kind: 'rename', from: name, to, exec: { argv: docker.rename(holder.id, to) } }]
}

/** The tag is here and is the content we want (a moved tag must be pulled again). Not listed: absent. */
export function imagePresent(d: DesiredRole, seen: HostState): boolean {
  return (seen.images ?? []).some((i) => i.tag === d.version && (i.id === d.imageId || i.digests.includes(d.imageId)))
}

/**
 * Tags of the repository that no container on the host (any service: a PR preview shares the
 * repository with production; any role or destination) will still use once `removed` are gone.
 * Keeps `keepTag` (the version being deployed; null: none, as `cutover prune`) and Kamal's `latest`.
 */
export function unusedImages(keepTag: string | null, seen: HostState, removed: ReadonlySet<ObservedContainer>): string[] {
  if (!seen.images) return [] // not listed: nothing is known to be unused
  const used = new Set(seen.containers.filter((c) => !removed.has(c)).map((c) => c.imageId))
  for (const i of seen.images) if (i.tag === keepTag) used.add(i.id)
  return seen.images
    .filter((i) => i.tag !== '<none>' && i.tag !== 'latest' && i.tag !== keepTag && !used.has(i.id))
    .map((i) => `${i.repository}:${i.tag}`)
}
