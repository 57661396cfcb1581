import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfigOrThrow } from '../../../src/config/index.js'
import type { GateOptions, GateResult } from '../../../src/gate/index.js'
import type { BuildReport } from '../../../src/image/index.js'
import { memoryLogger } from '../../../src/log.js'
import type { DeployRequest } from '../../../src/engine/request.js'
import type { DeployResult } from '../../../src/engine/result.js'
import type { Session } from '../../../src/engine/session.js'
import { GateFailedError, ship, type ShipDeps, type ShipRun } from '../../../src/engine/ship.js'
import { NO_HOOKS, type DeployHooks } from '../../../src/hooks/index.js'

// ship() = gate ‖ build, then deploy, over injected gate, build, version and deploy functions:
// the hosts are touched (deployService called) only when the gate is green and the image is
// ready; when one side fails, the other is stopped through the signal it was given.

const CONFIG = `
service: shop
image: acme/shop
servers: [10.0.0.1, 10.0.0.2]
registry:
  server: registry.test
  username: acme
  password: [REGISTRY_PASSWORD]
`

function fakeSession(): Session {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-ship-'))
  mkdirSync(join(dir, 'config'))
  writeFileSync(join(dir, 'config', 'deploy.yml'), CONFIG)
  const { config, secrets } = loadConfigOrThrow({ cwd: dir, env: { REGISTRY_PASSWORD: 'pw' } })
  // ship reads only the options and the registry input; hosts are the injected deployService's business.
  return { options: { config, secrets }, registryInput: () => ({ server: 'registry.test' }) } as unknown as Session
}

const gateResult = (status: 'passed' | 'failed' | 'timed-out'): GateResult =>
  (status === 'passed'
    ? { status, noChecks: false, summary: 'CI passed', checks: [], ignored: [], polls: 1, elapsedMs: 5 }
    : status === 'failed'
      ? { status, reason: 'check-failed', failed: [], missing: [], summary: 'lint failed', checks: [], ignored: [], polls: 1, elapsedMs: 5 }
      : { status, pending: [], missing: [], summary: 'CI still running after 1s', checks: [], ignored: [], polls: 1, elapsedMs: 5 }) as GateResult

const built = (version: string): BuildReport => ({
  status: 'built',
  version: { version, source: 'clone', uncommitted: false, warnings: [] },
  image: `registry.test/acme/shop:${version}`,
  path: 'buildx',
  notes: [],
})

/** Resolves after the signal aborts, rejecting with its reason: a build or gate that only ends when stopped. */
const untilAborted = (signal: AbortSignal | undefined): Promise<never> =>
  new Promise((_, reject) => {
    if (!signal) return
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
  })

interface Seen {
  phases: string[]
  ended: string[]
  deployed: { version: string; request: unknown; hooks: unknown }[]
  gateSignal?: AbortSignal
  buildSignal?: AbortSignal
  resolved: unknown[]
  built: unknown[]
}

function harness(behave: { gate?: () => Promise<GateResult>; build?: (signal: AbortSignal | undefined) => Promise<BuildReport> }) {
  const seen: Seen = { phases: [], ended: [], deployed: [], resolved: [], built: [] }
  const result: DeployResult = { version: 'x', image: 'x', changed: true, hosts: [] }
  const deps: ShipDeps = {
    waitForChecks: (_options, gateDeps) => {
      seen.gateSignal = gateDeps.signal
      return behave.gate ? behave.gate() : Promise.resolve(gateResult('passed'))
    },
    buildImage: (request, buildDeps) => {
      seen.buildSignal = buildDeps.signal
      seen.built.push({ ref: request.ref, version: request.version, appDir: request.appDir })
      return behave.build ? behave.build(buildDeps.signal) : Promise.resolve(built('abc123'))
    },
    resolveVersion: async (request) => {
      seen.resolved.push(request)
      return { version: 'head456', source: 'clone', uncommitted: false, warnings: [] }
    },
    deployService: async (_session, request, _logger, hooks) => {
      seen.deployed.push({ version: request.version, request, hooks })
      return { ...result, version: request.version }
    },
  }
  const log = memoryLogger()
  const run: ShipRun = {
    builder: { cacheDir: '/nonexistent' },
    onLock: () => undefined,
    hostLog: () => log,
    pauseAt: 'after-start',
    phase: (name) => {
      seen.phases.push(name)
      return Object.assign(log.child(`${name}:`), { end: () => void seen.ended.push(name) })
    },
  }
  return { seen, deps, run, log }
}

const request = (over: Partial<DeployRequest> = {}): DeployRequest => ({
  appDir: '/app',
  ref: 'f'.repeat(40),
  skipBuild: false,
  gate: { sha: 'f'.repeat(40) } as GateOptions,
  performer: 'me',
  run: 'https://ci/run/1',
  message: 'ship it',
  onlyHosts: ['10.0.0.2'],
  breakStale: true,
  allowUnreachable: true,
  ...over,
})

const settle = <T>(p: Promise<T>): Promise<{ ok: T } | { error: Error }> =>
  p.then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error: error as Error }),
  )

describe('ship: the gate decides whether hosts are touched', () => {
  it('green gate and a built image: deploys the built version once, with the request and the edge\'s hooks', async () => {
    const { seen, deps, run } = harness({})
    const shipped = await ship(fakeSession(), request(), run, deps)
    expect(seen.deployed).toHaveLength(1)
    expect(seen.deployed[0]!.request).toEqual({ version: 'abc123', performer: 'me', run: 'https://ci/run/1', message: 'ship it', onlyHosts: ['10.0.0.2'], breakStale: true, allowUnreachable: true })
    expect(seen.deployed[0]!.hooks).toMatchObject({ onLock: run.onLock, hostLog: run.hostLog, pauseAt: 'after-start' })
    expect(shipped).toMatchObject({ version: 'abc123', build: { status: 'built' }, gate: { status: 'passed' }, result: { version: 'abc123' } })
    expect(seen.built).toEqual([{ ref: 'f'.repeat(40), version: undefined, appDir: '/app' }])
    expect(seen.phases).toEqual(['gate', 'build', 'deploy'])
    expect(seen.ended.sort()).toEqual(['build', 'gate'])
  })

  it.each(['failed', 'timed-out'] as const)('a %s gate: no host is touched, the run fails with the gate\'s summary', async (status) => {
    const { seen, deps, run } = harness({ gate: async () => gateResult(status) })
    const outcome = await settle(ship(fakeSession(), request(), run, deps))
    expect('error' in outcome && outcome.error).toBeInstanceOf(GateFailedError)
    expect('error' in outcome && (outcome.error as GateFailedError).gate.status).toBe(status)
    expect(seen.deployed).toEqual([])
    expect(seen.phases).not.toContain('deploy')
    // The build had finished; the gate's failure still aborts what the build may still be doing (its push).
    expect(seen.buildSignal!.aborted).toBe(true)
  })

  it('a gate that goes red mid-build stops the build through its signal, and nothing deploys', async () => {
    const { seen, deps, run } = harness({ gate: async () => gateResult('failed'), build: (signal) => untilAborted(signal) })
    const outcome = await settle(ship(fakeSession(), request(), run, deps))
    expect('error' in outcome && outcome.error).toBeInstanceOf(GateFailedError)
    expect(seen.buildSignal!.aborted).toBe(true)
    expect((seen.buildSignal!.reason as Error).message).toBe('the CI gate failed')
    expect(seen.deployed).toEqual([])
    expect(seen.ended.sort()).toEqual(['build', 'gate'])
  })

  it('a failed build stops the gate\'s wait through its signal, and nothing deploys', async () => {
    const { seen, deps, run } = harness({ gate: () => untilAborted(seen.gateSignal), build: async () => Promise.reject(new Error('docker build exited 1')) })
    const outcome = await settle(ship(fakeSession(), request(), run, deps))
    expect('error' in outcome && outcome.error.message).toBe('docker build exited 1')
    expect(seen.gateSignal!.aborted).toBe(true)
    expect((seen.gateSignal!.reason as Error).message).toBe('the build failed')
    expect(seen.deployed).toEqual([])
  })

  it('cancelling the run (its signal) reaches both the gate and the build', async () => {
    const cancel = new AbortController()
    const { seen, deps, run } = harness({ gate: () => untilAborted(seen.gateSignal), build: (signal) => untilAborted(signal) })
    const pending = settle(ship(fakeSession(), request(), { ...run, signal: cancel.signal }, deps))
    await new Promise((r) => setImmediate(r))
    cancel.abort(new Error('cancelled'))
    const outcome = await pending
    expect('error' in outcome && outcome.error.message).toBe('cancelled')
    expect(seen.gateSignal!.aborted && seen.buildSignal!.aborted).toBe(true)
    expect(seen.deployed).toEqual([])
  })

  it('no gate asked: none is awaited, no gate phase, and the build alone decides', async () => {
    const { seen, deps, run } = harness({ gate: () => Promise.reject(new Error('the gate must not be called')) })
    const shipped = await ship(fakeSession(), request({ gate: undefined }), run, deps)
    expect(seen.gateSignal).toBeUndefined()
    expect(seen.phases).toEqual(['build', 'deploy'])
    expect(shipped.gate).toBeUndefined()
    expect(seen.deployed.map((d) => d.version)).toEqual(['abc123'])
  })
})

describe('ship: what is built and what version is deployed', () => {
  it('skipBuild with a named version (a rollback): no build phase, no git, that version deployed', async () => {
    const { seen, deps, run } = harness({})
    const shipped = await ship(fakeSession(), request({ skipBuild: true, version: 'v1', gate: undefined, ref: undefined }), run, deps)
    expect(seen.built).toEqual([])
    expect(seen.resolved).toEqual([])
    expect(seen.phases).toEqual(['deploy'])
    expect(shipped).toMatchObject({ version: 'v1' })
    expect(shipped.build).toBeUndefined()
  })

  it('skipBuild without a version: the commit names the version, nothing is built', async () => {
    const { seen, deps, run, log } = harness({})
    const shipped = await ship(fakeSession(), request({ skipBuild: true }), run, deps)
    expect(seen.built).toEqual([])
    expect(seen.resolved).toEqual([{ appDir: '/app', ref: 'f'.repeat(40), version: undefined, context: undefined }])
    expect(seen.deployed.map((d) => d.version)).toEqual(['head456'])
    expect(shipped.version).toBe('head456')
    expect(log.lines).toContain('info: build: not building: deploying head456 as the registry has it')
  })

  it('skipBuild and a red gate: still nothing deployed', async () => {
    const { seen, deps, run } = harness({ gate: async () => gateResult('failed') })
    const outcome = await settle(ship(fakeSession(), request({ skipBuild: true, version: 'v1' }), run, deps))
    expect('error' in outcome && outcome.error).toBeInstanceOf(GateFailedError)
    expect(seen.deployed).toEqual([])
  })

  it('a given version is built under that tag', async () => {
    const { seen, deps, run } = harness({ build: async () => built('v9') })
    await ship(fakeSession(), request({ version: 'v9' }), run, deps)
    expect(seen.built).toEqual([{ ref: 'f'.repeat(40), version: 'v9', appDir: '/app' }])
    expect(seen.deployed.map((d) => d.version)).toEqual(['v9'])
  })
})

describe("ship: Kamal's hooks (RunHooks.kamalHooks) at their points", () => {
  /** Records what ship asks of the hooks; `present`: whether a pre-connect file exists (it then asks the version). */
  function recordingHooks(present: boolean, order: string[]): DeployHooks {
    return {
      ...NO_HOOKS,
      preConnect: async (version) => void order.push(`pre-connect ${present && version ? await version() : '-'}`),
      preBuild: async (v) => void order.push(`pre-build ${v}`),
    }
  }

  it('pre-connect before the gate and the build (the version resolved for it is the one built), pre-build inside the build; the hooks reach deployService', async () => {
    const order: string[] = []
    const { seen, deps, run } = harness({})
    deps.waitForChecks = async () => (order.push('gate'), gateResult('passed'))
    deps.buildImage = async (req, buildDeps) => {
      order.push(`build ${req.version}`)
      await buildDeps.beforeBuild?.('head456')
      return built('head456')
    }
    const kamalHooks = recordingHooks(true, order)
    await ship(fakeSession(), request(), { ...run, kamalHooks }, deps)
    expect(order).toEqual(['pre-connect head456', 'gate', 'build head456', 'pre-build head456'])
    expect(seen.resolved).toEqual([{ appDir: '/app', ref: 'f'.repeat(40), context: undefined }])
    expect(seen.deployed[0]!.hooks).toMatchObject({ kamalHooks })
  })

  it('no pre-connect file: git is not asked, and the build resolves its own version', async () => {
    const order: string[] = []
    const { seen, deps, run } = harness({})
    await ship(fakeSession(), request(), { ...run, kamalHooks: recordingHooks(false, order) }, deps)
    expect(order).toEqual(['pre-connect -'])
    expect(seen.resolved).toEqual([])
    expect(seen.built).toEqual([{ ref: 'f'.repeat(40), version: undefined, appDir: '/app' }])
  })

  it('a failing pre-connect stops the run before the gate waits or anything is built', async () => {
    const { seen, deps, run } = harness({})
    const kamalHooks: DeployHooks = { ...NO_HOOKS, preConnect: async () => Promise.reject(new Error('hook pre-connect (.kamal/hooks/pre-connect) failed with exit code 1')) }
    const outcome = await settle(ship(fakeSession(), request(), { ...run, kamalHooks }, deps))
    expect('error' in outcome && outcome.error.message).toMatch(/^hook pre-connect/)
    expect(seen.gateSignal).toBeUndefined()
    expect(seen.built).toEqual([])
    expect(seen.deployed).toEqual([])
  })
})
