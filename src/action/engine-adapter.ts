import { releaseLock } from '../engine/lock.js'
import { pauseAtFromEnv } from '../engine/pause.js'
import { removeService } from '../engine/remove.js'
import { performer, versioned } from '../engine/request.js'
import { dryRunService } from '../engine/service.js'
import { ship } from '../engine/ship.js'
import { configApp, primaryHost } from '../engine/targets.js'
import { hooksFor } from '../hooks/index.js'
import { defaultCacheDir } from '../image/index.js'
import type { Logger } from '../log.js'
import { LocalBuildCache } from './build-cache.js'
import { guarded, toFailure } from './engine-cancel.js'
import { execOnPrimary } from '../engine/app-exec.js'
import { EngineFailure, type DeployCall, type EnginePort, type PhaseLogger, type RunIO, type RunOutcome, type Target } from './engine-port.js'
import { outcome, retainedFor, urlOf, withSession, type Scope } from './engine-session.js'
import { lockTracker } from './lock-tracker.js'

/** deploy and rollback: production's secrets, never the preview's own (x-cutover.preview.env). */
const PRODUCTION: Scope = { needs: 'production' }

/**
 * The real engine behind the Action's port: config and SSH session (engine-session.ts), gate ‖
 * build then deploy (ship), previews, remove, the post step's lock release; errors and
 * cancellation as the Action reports them (engine-cancel.ts).
 */
export function createEnginePort(env: NodeJS.ProcessEnv = process.env): EnginePort {
  return {
    deploy: (call, io) => guarded(io, (releases) => shipTo(call, io, releases, env, PRODUCTION)),
    previewDeploy: (call, io) => guarded(io, (releases) => shipTo(call, io, releases, env, { needs: 'preview', pr: call.pr })),
    // Same path as a deploy; the request names the version and skips the build (the gate only when asked: wait-for-checks: true).
    rollback: (call, io) => guarded(io, (releases) => shipTo(call, io, releases, env, PRODUCTION)),
    remove: (target, io) => guarded(io, (releases) => removeWith(target, io, releases, env, { needs: 'ssh' })),
    previewRemove: (target, io) => guarded(io, (releases) => removeWith(target, io, releases, env, { needs: 'ssh', pr: target.pr })),
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
    // Read-only: the dry run observes and plans; no build, no lock, nothing written to a host.
    plan: (call, io) =>
      guarded(io, () =>
        withSession(call, io, env, PRODUCTION, async (session, config) => {
          const version = call.request.version ?? call.request.ref
          if (!version) throw new EngineFailure('plan: no commit or version to plan')
          const hosts = await dryRunService(session, { ...versioned(call.request, version), commit: call.request.ref }, io.log)
          return { version, service: config.service, hosts }
        }),
      ),
    // No lock, as Kamal's `app exec`: a one-off runs next to the app, it changes no container of it.
    exec: (call, io) =>
      withSession(call, io, env, PRODUCTION, (session) => execOnPrimary(session, { version: call.version, cmd: call.cmd, performer: performer(env), onLine: call.onLine })).catch((e: unknown) => {
        throw toFailure(e)
      }),
    serving: (req, io) =>
      withSession(req, io, env, { needs: 'ssh', pr: req.pr }, (session, config) => retainedFor(session, config, false)).catch((e: unknown) => {
        throw toFailure(e)
      }),
  }
}

/** gate ‖ build, then deploy (a deploy, a preview, a rollback), with the Action's log groups and lock bookkeeping. */
async function shipTo(call: DeployCall, io: RunIO, releases: Promise<unknown>[], env: NodeJS.ProcessEnv, scope: Scope): Promise<RunOutcome> {
  const { request } = call
  return withSession(call, io, env, scope, async (session, config) => {
    const phases = phaseLogs(io)
    const lock = lockTracker(io, releases)
    // Restored by the build itself, once the registry check says it builds: a no-op run downloads nothing.
    const buildCache = LocalBuildCache.forRun(config, !request.skipBuild, io.log)
    try {
      const shipped = await ship(session, request, {
        builder: { cacheDir: defaultCacheDir(env), env, ...(buildCache ? { restoreLocalCache: (plan, log) => buildCache.restore(plan, log) } : {}) },
        signal: io.signal,
        onLock: lock.onLock,
        hostLog: phases.host,
        // CUTOVER_PAUSE_AT, as in the CLI: tests stop the deploy at a known point and kill the step there.
        pauseAt: pauseAtFromEnv(env),
        // Kamal's hooks, from the request's appDir (the workspace) and its skip-hooks.
        kamalHooks: hooksFor(session, request, io.log),
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
      const result = await removeService(session, { performer: performer(env), run: target.run.id, breakStale: target.breakStaleLock }, io.log, { onLock: lock.onLock })
      return { result, service: config.service, retained: [], ...urlOf(config) }
    } finally {
      lock.settled()
    }
  })
}
