/**
 * A unit-tier FAKE of the deploy engine behind the Action's port. It models only what the
 * Action can observe: per-service versions on a few hosts, retained versions, a registry, and
 * the deploy lock with its `run:` line. Its world lives in a JSON file, so a main step and a
 * post step in two processes see the same hosts. It drives the real CI gate against the local
 * GitHub API server when asked to. The real engine is tested end to end elsewhere.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import type { DeployResult, HostResult } from '../../../src/engine/result.js'
import { waitForChecks, type GateDeps } from '../../../src/gate/index.js'
import {
  EngineFailure,
  type EnginePort,
  type LockRelease,
  type LockReleaseRequest,
  type PlanOutcome,
  type RetainedVersions,
  type RunIO,
  type RunOutcome,
  type Target,
} from '../../../src/action/engine-port.js'
import type { ConfigProblem } from '../../../src/action/engine-port.js'

export interface FakeWorld {
  hosts: string[]
  service: string
  repository: string
  proxyHost: string
  previewHostTemplate: string
  /** Secret env names the fake config refers to; their values come from `Target.env`. */
  secretEnv: string[]
  /** Per service name: the running version and the retained ones, newest first. */
  services: Record<string, { running: string; retained: string[] }>
  registry: string[]
  /** The deploy lock; `service` is whose it is (a preview's is `<service>-pr-<N>`), default the world's service. */
  lock?: { run: string; details: string; service?: string }
}

export interface FakeEngineOptions {
  worldFile: string
  /** Records each use of a value that may be secret (what the real engine would send over SSH). */
  use?: (value: string) => void
  /** Stop after taking the lock (writes `pausedFile`, then waits until aborted or killed). */
  pauseAfterLock?: {
    pausedFile: string
    /** Keep waiting when aborted, like an engine stuck on a dead host. */
    ignoreAbort?: boolean
    /** Reject when aborted but leave work running in the background, as the real engine does (it cannot stop mid-step). */
    lingerAfterAbort?: boolean
  }
  /** These hosts fail their deploy, with a log tail that names (redacted) secrets. */
  failHosts?: string[]
  configProblems?: ConfigProblem[]
  gateDeps?: GateDeps
  /** Only the calls, for assertions. */
  calls?: { op: string; request: unknown }[]
}

export function newWorld(overrides: Partial<FakeWorld> = {}): FakeWorld {
  return {
    hosts: ['vm1', 'vm2'],
    service: 'shop',
    repository: 'registry.example.test/acme/shop',
    proxyHost: 'shop.example.test',
    previewHostTemplate: 'pr-{number}.preview.example.test',
    secretEnv: ['DATABASE_URL', 'TLS_KEY'],
    services: {},
    registry: [],
    ...overrides,
  }
}

/** The secret env file the fake writes: quoted, newlines escaped, so its text differs from the `secrets` input's lines. */
export const fakeEnvFile = (names: readonly string[], env: Readonly<Record<string, string>>): string =>
  names.map((n) => `${n}=${JSON.stringify(env[n] ?? '')}`).join('\n')

export const saveWorld = (file: string, w: FakeWorld): void => writeFileSync(file, JSON.stringify(w, null, 2))
export const loadWorld = (file: string): FakeWorld => JSON.parse(readFileSync(file, 'utf8')) as FakeWorld

const RETAIN = 5

export class FakeEngine implements EnginePort {
  constructor(private readonly o: FakeEngineOptions) {}

  deploy(r: Parameters<EnginePort['deploy']>[0], io: RunIO): Promise<RunOutcome> {
    return this.rollout('deploy', r, io, (w) => w.service, r.request.version ?? r.request.ref!, { build: !r.request.skipBuild }, r.request.gate)
  }

  rollback(r: Parameters<EnginePort['rollback']>[0], io: RunIO): Promise<RunOutcome> {
    return this.rollout('rollback', r, io, (w) => w.service, r.request.version!, undefined, r.request.gate)
  }

  previewDeploy(r: Parameters<EnginePort['previewDeploy']>[0], io: RunIO): Promise<RunOutcome> {
    return this.rollout('previewDeploy', r, io, (w) => `${w.service}-pr-${r.pr}`, r.request.version ?? r.request.ref!, { build: !r.request.skipBuild }, r.request.gate, r.pr)
  }

  remove(r: Target, io: RunIO): Promise<RunOutcome> {
    return this.removal('remove', r, io, (w) => w.service)
  }

  previewRemove(r: Parameters<EnginePort['previewRemove']>[0], io: RunIO): Promise<RunOutcome> {
    return this.removal('previewRemove', r, io, (w) => `${w.service}-pr-${r.pr}`)
  }

  async releaseLockIfOwned(r: LockReleaseRequest, io: RunIO): Promise<LockRelease> {
    this.o.calls?.push({ op: 'releaseLockIfOwned', request: r })
    const w = loadWorld(this.o.worldFile)
    // As the real engine: the lock looked at is the service's, a preview's own for a preview.
    const service = r.pr === undefined ? w.service : `${w.service}-pr-${r.pr}`
    if (!w.lock || (w.lock.service ?? w.service) !== service) return { outcome: 'not-held' }
    if (w.lock.run !== r.run.id) return { outcome: 'held-by-other', details: w.lock.details }
    const details = w.lock.details
    delete w.lock
    saveWorld(this.o.worldFile, w)
    io.log.info(`lock: released ${w.service}`)
    return { outcome: 'released', details }
  }

  /** A read-only plan: no lock, nothing written to the world. */
  async plan(r: Parameters<EnginePort['plan']>[0]): Promise<PlanOutcome> {
    this.o.calls?.push({ op: 'plan', request: r })
    const w = loadWorld(this.o.worldFile)
    const version = r.request.version ?? r.request.ref!
    const before = w.services[w.service]?.running
    const role = (): PlanOutcome['hosts'][number]['roles'][number] =>
      before === version
        ? { role: 'web', outcome: 'unchanged', container: `shop-web-${version}`, steps: [], notes: [], changes: [] }
        : { role: 'web', outcome: before ? 'replaced' : 'booted', container: `shop-web-${version}`, steps: ['run', 'switch'], notes: [], changes: [before ? `image ${w.repository}:${before} → to be built from ${version}` : `new: image to be built from ${version}`] }
    return { version, service: w.service, hosts: w.hosts.map((host) => ({ host, roles: [role()] })) }
  }

  async serving(r: LockReleaseRequest): Promise<RetainedVersions[]> {
    this.o.calls?.push({ op: 'serving', request: r })
    const w = loadWorld(this.o.worldFile)
    return this.retained(w, r.pr === undefined ? w.service : `${w.service}-pr-${r.pr}`)
  }

  private async rollout(
    op: string,
    r: Target,
    io: RunIO,
    serviceOf: (w: FakeWorld) => string,
    version: string,
    build: { build: boolean } | undefined,
    gate: Parameters<typeof waitForChecks>[0] | undefined,
    pr?: number,
  ): Promise<RunOutcome> {
    this.o.calls?.push({ op, request: r })
    if (this.o.configProblems) throw new EngineFailure(`config/deploy.yml has ${this.o.configProblems.length} problem(s)`, { kind: 'config', problems: this.o.configProblems })
    const w = this.lock(r, io, serviceOf)
    try {
      if (this.o.pauseAfterLock) {
        writeFileSync(this.o.pauseAfterLock.pausedFile, String(process.pid))
        // Bounded: the test kills or aborts long before this ends.
        if (this.o.pauseAfterLock.lingerAfterAbort) void delay(120_000)
        await delay(120_000, undefined, this.o.pauseAfterLock.ignoreAbort ? {} : { signal: io.signal })
      }
      let gateResult
      if (gate) {
        const phase = io.phase('gate')
        try {
          gateResult = await waitForChecks(gate, { ...this.o.gateDeps, logger: phase, signal: io.signal })
        } finally {
          phase.end()
        }
        if (gateResult.status !== 'passed') throw new EngineFailure(gateResult.summary, { kind: 'gate', gate: gateResult })
      }
      const image = `${w.repository}:${version}`
      const buildNote = this.build(w, r, io, version, build, op === 'rollback')
      const service = serviceOf(w)
      const envFile = fakeEnvFile(w.secretEnv, r.env)
      io.mask(envFile)
      const hosts = w.hosts.map((host) => this.deployHost(io, host, w.services[service], version, envFile, r))
      const failed = new Set(hosts.filter((h) => h.action === 'failed').map((h) => h.host))
      if (failed.size < hosts.length) {
        const before = w.services[service]
        w.services[service] = { running: version, retained: [version, ...(before?.retained ?? []).filter((v) => v !== version)].slice(0, RETAIN) }
      }
      const result: DeployResult = { version, image, changed: hosts.some((h) => h.action !== 'unchanged'), hosts }
      const host = pr === undefined ? w.proxyHost : w.previewHostTemplate.replace('{number}', String(pr))
      return { result, service, url: `https://${host}`, retained: this.retained(w, service), ...(gateResult ? { gate: gateResult } : {}), ...(buildNote ? { build: buildNote } : {}) }
    } finally {
      this.unlock(w, io)
    }
  }

  private async removal(op: string, r: Target, io: RunIO, serviceOf: (w: FakeWorld) => string): Promise<RunOutcome> {
    this.o.calls?.push({ op, request: r })
    const w = this.lock(r, io, serviceOf)
    try {
      const service = serviceOf(w)
      const present = w.services[service] !== undefined
      delete w.services[service]
      const hosts = w.hosts.map((host): HostResult => ({ host, role: 'web', action: present ? 'removed' : 'unchanged', durationMs: 5 }))
      return { result: { version: '', image: '', changed: present, hosts }, service, retained: [] }
    } finally {
      this.unlock(w, io)
    }
  }

  private lock(r: Target, io: RunIO, serviceOf: (w: FakeWorld) => string): FakeWorld {
    io.lockState(true)
    const w = loadWorld(this.o.worldFile)
    if (w.lock) {
      io.lockState(false)
      throw new EngineFailure(`deploy lock for ${w.service} is held:\n${w.lock.details}`, { kind: 'lock-held', holder: w.lock.details })
    }
    w.lock = { run: r.run.id, details: `Locked by: cutover at 2030-01-15T12:00:00Z\nVersion: -\nMessage: deploy\nrun: ${r.run.id}`, service: serviceOf(w) }
    saveWorld(this.o.worldFile, w)
    return w
  }

  private unlock(w: FakeWorld, io: RunIO): void {
    delete w.lock
    saveWorld(this.o.worldFile, w)
    io.lockState(false)
  }

  private build(w: FakeWorld, r: Target, io: RunIO, version: string, b: { build: boolean } | undefined, rollback: boolean): RunOutcome['build'] {
    const inRegistry = w.registry.includes(version)
    const retained = Object.values(w.services).some((s) => s.retained.includes(version))
    if (rollback) {
      if (!inRegistry && !retained) {
        throw new EngineFailure(`rollback: ${w.repository}:${version} is neither retained on the hosts nor in the registry`, { kind: 'version-missing', version, retained: this.retained(w, w.service) })
      }
      return undefined
    }
    if (r.registry?.password) {
      // What a registry login sends: derived from the password, so it is masked before it is used.
      const auth = Buffer.from(`${r.registry.username ?? ''}:${r.registry.password}`).toString('base64')
      io.mask(auth)
      this.o.use?.(auth)
    }
    if (inRegistry) return { action: 'skipped', detail: `${w.repository}:${version} is already in the registry` }
    if (!b?.build) throw new EngineFailure(`${w.repository}:${version} is not in the registry and skip-build is set; build it first or drop skip-build`)
    const phase = io.phase('build')
    phase.info(`building ${w.repository}:${version}`)
    phase.end()
    w.registry.push(version)
    return { action: 'built', detail: 'built and pushed' }
  }

  private deployHost(io: RunIO, host: string, before: { running: string } | undefined, version: string, envFile: string, r: Target): HostResult {
    const phase = io.phase(`host ${host}`)
    const log = phase.child(`${host}:`)
    try {
      if (this.o.failHosts?.includes(host)) {
        const redacted = envFile.replace(/=.*/g, '=[REDACTED]')
        log.info('new container never became healthy')
        return { host, role: 'web', action: 'failed', container: `shop-web-${version}`, durationMs: 30_000, error: `web: shop-web-${version} never answered /up within 30s; last log lines:\n${redacted}` }
      }
      if (before?.running === version) {
        log.info('unchanged')
        return { host, role: 'web', action: 'unchanged', container: `shop-web-${version}`, durationMs: 300 }
      }
      this.o.use?.(envFile)
      if (r.sshPrivateKey) this.o.use?.(r.sshPrivateKey)
      log.info(`${before ? 'replacing' : 'booting'} shop-web-${version}`)
      return { host, role: 'web', action: before ? 'replaced' : 'booted', container: `shop-web-${version}`, durationMs: 2_500 }
    } finally {
      phase.end()
    }
  }

  private retained(w: FakeWorld, service: string): RetainedVersions[] {
    const s = w.services[service]
    return s ? w.hosts.map((host) => ({ host, role: 'web', versions: s.retained.map((v) => ({ version: v, container: `${service}-web-${v}`, running: v === s.running })) })) : []
  }
}
