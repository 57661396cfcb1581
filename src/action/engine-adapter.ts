import { ConfigErrors, loadConfig, type DeployConfig, type SecretNeeds } from '../config/index.js'
import { LockHeldError, releaseLock } from '../engine/lock.js'
import { pauseAtFromEnv } from '../engine/pause.js'
import { previewConfig } from '../engine/preview.js'
import { removeService } from '../engine/remove.js'
import type { DeployResult } from '../engine/result.js'
import type { ServiceDeployRequest } from '../engine/service.js'
import { Session, VersionMissingError } from '../engine/session.js'
import { GateFailedError, ship } from '../engine/ship.js'
import { configApp, primaryHost } from '../engine/targets.js'
import { retainedVersions } from '../engine/versions.js'
import { hooksFor } from '../hooks/index.js'
import { parseKnownHosts } from '../remote/index.js'
import { defaultCacheDir } from '../image/index.js'
import { LocalBuildCache } from './build-cache.js'
import type { GateOptions } from '../gate/index.js'
import type { Logger } from '../log.js'
import type { SecretHints } from '../secrets/index.js'
import { lockTracker, type LockTracker } from './lock-tracker.js'
import { maskDerived } from './mask.js'
import {
  EngineFailure, type DeployRequest, type EnginePort, type PhaseLogger, type RetainedVersions, type RunIO, type RunOutcome, type Target,
} from './engine-port.js'

/** The secret name the `registry-password` input is kept under: error messages say "the registry-password input secret". */
const REGISTRY_PASSWORD_INPUT = 'registry-password input'

/** A missing secret's fix, in the Action's words: its `secrets` input, and `registry-password` for the registry password. */
const ACTION_HINTS: SecretHints = {
  env: (name) => `${name} in the \`secrets\` input (a line \`${name}=\${{ secrets.${name} }}\`) or in the step's \`env\``,
  instead: (keyPath) => (keyPath === 'registry/password/0' ? 'the `registry-password` input' : undefined),
}

/**
 * Which config an operation runs with: the secrets it resolves (see LoadOptions.needs), and the
 * PR for previews. A removal or the lock needs only what reaches the hosts, so a `remove` job
 * runs without production's secrets, and a preview without them unless preview.inherit_secrets.
 */
interface Scope {
  needs: SecretNeeds
  pr?: number | undefined
}
const ALL: Scope = { needs: 'all' }

/** The real engine behind the Action's port: config, SSH session, gate ‖ build, deploy, previews, remove. */
export function createEnginePort(env: NodeJS.ProcessEnv = process.env): EnginePort {
  return {
    deploy: (req, io) => guarded(io, (releases) => shipTo(req, shipment(req), io, releases, env, ALL)),
    previewDeploy: (req, io) => guarded(io, (releases) => shipTo(req, { ...shipment(req), version: req.version ?? req.sha }, io, releases, env, { needs: 'preview', pr: req.pr })),
    // Same path as a deploy, minus the build: the gate only when asked (wait-for-checks: true).
    rollback: (req, io) => guarded(io, (releases) => shipTo(req, { command: 'rollback', version: req.version, skipBuild: true, gate: req.gate }, io, releases, env, ALL)),
    remove: (req, io) => guarded(io, (releases) => removeWith(req, io, releases, env, { needs: 'ssh' })),
    previewRemove: (req, io) => guarded(io, (releases) => removeWith(req, io, releases, env, { needs: 'ssh', pr: req.pr })),
    // A lock that cannot be read (host unreachable, host key changed...) is an error: the post
    // step then fails saying how to release the lock by hand, rather than leave it unmentioned.
    releaseLockIfOwned: (req, io) =>
      withSession(req, io, env, { needs: 'ssh', pr: req.pr }, async (session, config) => {
        const app = configApp(config)
        const { released, report } = await releaseLock(session, primaryHost(config), app, (run) => run === req.run.id)
        if (released) return { outcome: 'released' as const, details: report.state.held ? report.state.text : '' }
        if (!report.state.held) return { outcome: 'not-held' as const }
        return { outcome: 'held-by-other' as const, details: report.state.text }
      }).catch((e: unknown) => {
        throw toFailure(e)
      }),
  }
}

/** What to ship: the commit to build (a clean clone of `ref`), the tag, and the gate to await. */
interface Shipment {
  /** KAMAL_COMMAND for the hooks. */
  command: 'deploy' | 'rollback'
  ref?: string
  version?: string
  skipBuild: boolean
  gate?: GateOptions
}

const shipment = (req: DeployRequest): Shipment => ({
  command: 'deploy',
  ref: req.sha,
  ...(req.version ? { version: req.version } : {}),
  // As Kamal's --skip-push: nothing is built, the registry's image is deployed.
  skipBuild: req.skipBuild || req.skipPush,
  ...(req.gate ? { gate: req.gate } : {}),
})

/** gate ‖ build, then deploy (a deploy, a preview, a rollback), with the Action's log groups and lock bookkeeping. */
async function shipTo(target: Target, req: Shipment, io: RunIO, releases: Promise<unknown>[], env: NodeJS.ProcessEnv, scope: Scope): Promise<RunOutcome> {
  return withSession(target, io, env, scope, async (session, config) => {
    const phases = phaseLogs(io)
    const lock = lockTracker(io, releases)
    const cacheDir = defaultCacheDir(env)
    // Restored by the build itself, once the registry check says it builds: a no-op run downloads nothing.
    const buildCache = LocalBuildCache.forRun(config, !req.skipBuild, io.log)
    try {
      const shipped = await ship({
        session,
        appDir: process.cwd(),
        ref: req.ref,
        version: req.version,
        skipBuild: req.skipBuild,
        gate: req.gate ? { options: req.gate, deps: { signal: io.signal } } : undefined,
        builder: { cacheDir, env, signal: io.signal, ...(buildCache ? { restoreLocalCache: (plan, log) => buildCache.restore(plan, log) } : {}) },
        deploy: {
          ...deployBase(target, lock, env),
          hostLog: phases.host,
          // Hooks run in the workspace, as Kamal runs them from the app's directory.
          hooks: hooksFor({ session, appDir: process.cwd(), command: req.command, performer: performer(env), skip: Boolean(target.skipHooks), version: req.version, logger: io.log }),
        },
        phase: (name) => {
          if (name !== 'deploy') return phases.open(name)
          // Gate and build are done: the hosts come next, and with them the lock.
          lock.attempting()
          // Deploy-wide lines (the lock, "nothing to do") go between the groups, not into one.
          return io.log
        },
      })
      if (shipped.build?.status === 'built') await buildCache?.save(shipped.build.localCache)
      const build = shipped.build
        ? { action: shipped.build.status, detail: shipped.build.status === 'skipped' ? `${shipped.build.image} was already in the registry` : `pushed ${shipped.build.image} (${shipped.build.path})` }
        : undefined
      return { ...(await outcome(shipped.result, session, config)), ...(shipped.gate ? { gate: shipped.gate } : {}), ...(build ? { build } : {}) }
    } finally {
      lock.settled()
      phases.endAll()
    }
  })
}

/**
 * The run's log groups: phases by name, and one per host whose lines all carry the host
 * (`vm1: web: pull …`). Every phase opened is ended by endAll, failures included.
 */
function phaseLogs(io: RunIO): { open: (name: string) => PhaseLogger; host: (host: string) => Logger; endAll: () => void } {
  const opened: PhaseLogger[] = []
  const open = (name: string): PhaseLogger => {
    const p = io.phase(name)
    opened.push(p)
    return p
  }
  return {
    open,
    host: (host) => open(`host ${host}`).child(`${host}:`),
    endAll: () => {
      for (const p of opened) p.end()
    },
  }
}

async function removeWith(target: Target, io: RunIO, releases: Promise<unknown>[], env: NodeJS.ProcessEnv, scope: Scope): Promise<RunOutcome> {
  return withSession(target, io, env, scope, async (session, config) => {
    const lock = lockTracker(io, releases)
    lock.attempting()
    try {
      const result = await removeService({ session, performer: performer(env), run: target.run.id, onLock: lock.onLock }, io.log)
      return { result, service: config.service, retained: [], ...urlOf(config) }
    } finally {
      lock.settled()
    }
  })
}

function deployBase(target: Target, lock: LockTracker, env: NodeJS.ProcessEnv): Omit<ServiceDeployRequest, 'session' | 'version'> {
  return {
    performer: performer(env),
    run: target.run.id,
    message: target.run.url ? `cutover run ${target.run.url}` : undefined,
    onLock: lock.onLock,
    // CUTOVER_PAUSE_AT, as in the CLI: tests stop the deploy at a known point and kill the step there.
    pauseAt: pauseAtFromEnv(env),
  }
}

const performer = (env: NodeJS.ProcessEnv): string => (env.GITHUB_ACTOR ? `${env.GITHUB_ACTOR} (GitHub Actions)` : 'cutover (GitHub Actions)')

/** Load the config (inputs' secrets before the environment), open one SSH session, and always close it. */
async function withSession<T>(target: Target, io: RunIO, env: NodeJS.ProcessEnv, scope: Scope, work: (session: Session, config: DeployConfig) => Promise<T>): Promise<T> {
  const { username, password } = target.registry ?? {}
  const loaded = loadConfig({
    configFile: target.configFile,
    ...(target.destination ? { destination: target.destination } : {}),
    cwd: process.cwd(),
    env: { ...env, ...target.env },
    registryOverride: { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password: { name: REGISTRY_PASSWORD_INPUT, value: password } } : {}) },
    needs: scope.needs,
    secretHints: ACTION_HINTS,
  })
  if (!loaded.ok) throw new EngineFailure(`${loaded.errors.length} config error${loaded.errors.length === 1 ? '' : 's'} in ${target.configFile}`, { kind: 'config', problems: loaded.errors })
  const config = scope.pr === undefined ? loaded.config : previewConfig(loaded.config, scope.pr)
  const secrets = loaded.secrets
  // Masks first: a warning is printed below, and nothing printed may precede a value's mask.
  maskDerived(io.mask, config, secrets)
  for (const w of loaded.warnings) io.log.warn(`${w.file}: ${w.keyPath}: ${w.message}`)
  if (!target.sshPrivateKey && config.ssh.keys.length === 0 && config.ssh.keyData.length === 0) {
    throw new EngineFailure(
      'Input `ssh-private-key` is empty and the config names no SSH key (ssh.keys, ssh.key_data): pass the private key, e.g. `ssh-private-key: ${{ secrets.SSH_PRIVATE_KEY }}` ' +
        '(a GitHub secret that is not set, or not available to this workflow, as for a pull request from a fork, reads as empty).',
    )
  }
  const session = new Session({
    config,
    secrets,
    logger: io.log,
    knownHosts: parseKnownHosts(target.knownHosts, 'the known-hosts input'),
    extraKeys: target.sshPrivateKey ? { data: [{ label: 'the ssh-private-key input', key: target.sshPrivateKey }] } : {},
  })
  try {
    return await work(session, config)
  } catch (e) {
    // The versions a rollback could use instead, read while the hosts are still connected.
    if (e instanceof VersionMissingError) throw new EngineFailure(e.message, { kind: 'version-missing', version: e.version, retained: await retainedFor(session, config) })
    throw e
  } finally {
    await session.close()
  }
}

async function retainedFor(session: Session, config: DeployConfig): Promise<RetainedVersions[]> {
  return (await retainedVersions(config, session).catch(() => [])).map((h) => ({
    host: h.host,
    role: h.role,
    versions: h.containers.filter((c) => c.version !== null).map((c) => ({ version: c.version as string, container: c.name, running: c.state === 'running' })),
  }))
}

async function outcome(result: DeployResult, session: Session, config: DeployConfig): Promise<RunOutcome> {
  return { result, service: config.service, retained: await retainedFor(session, config), ...urlOf(config) }
}

function urlOf(config: DeployConfig): { url?: string } {
  const primary = config.roles.find((r) => r.primary) ?? config.roles[0]
  const proxy = primary?.proxy
  const host = proxy?.hosts[0]
  return host ? { url: `${proxy.ssl ? 'https' : 'http'}://${host}` } : {}
}

/** How long a cancelled run waits for the lock release the cancellation started (the runner's SIGTERM comes 7.5 s after SIGINT). */
const RELEASE_ON_CANCEL_MS = 5_000

/**
 * Turn the engine's own errors into the failures the Action reports. Cancellation rejects
 * without waiting for the engine (it cannot stop mid-step), but only once the lock release the
 * cancellation started has finished, or RELEASE_ON_CANCEL_MS passed (the post step covers that).
 */
async function guarded(io: RunIO, work: (releases: Promise<unknown>[]) => Promise<RunOutcome>): Promise<RunOutcome> {
  if (io.signal.aborted) throw new EngineFailure('cancelled before it started')
  const releases: Promise<unknown>[] = []
  const cancelled = new Promise<never>((_, reject) =>
    io.signal.addEventListener(
      'abort',
      // Every abort listener runs before this microtask, so the lock tracker's release is in the list.
      () => queueMicrotask(() => void settled(releases, RELEASE_ON_CANCEL_MS).then(() => reject(new EngineFailure('cancelled: the deploy lock is released if this run held it')))),
      { once: true },
    ),
  )
  cancelled.catch(() => undefined)
  try {
    return await Promise.race([work(releases), cancelled])
  } catch (e) {
    throw toFailure(e)
  }
}

/** Resolves when every promise has settled, or after `ms`. */
function settled(all: Promise<unknown>[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    void Promise.allSettled(all).then(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

function toFailure(e: unknown): EngineFailure {
  if (e instanceof EngineFailure) return e
  if (e instanceof ConfigErrors) return new EngineFailure(`${e.errors.length} config error${e.errors.length === 1 ? '' : 's'}`, { kind: 'config', problems: [...e.errors] })
  if (e instanceof GateFailedError) return new EngineFailure(e.message, { kind: 'gate', gate: e.gate })
  if (e instanceof LockHeldError) return new EngineFailure(e.message, { kind: 'lock-held', holder: e.message })
  return new EngineFailure(e instanceof Error ? e.message : String(e))
}
