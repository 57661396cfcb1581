import * as lockCommands from '../argv/lock.js'
import { lockDirectory, type AppRef } from '../argv/names.js'
import type { Logger } from '../log.js'
import type { Hosts } from './hosts.js'
import { startHeartbeat } from './lock-heartbeat.js'
import { PROGRESS_EVERY_MS, withProgress } from './progress.js'

export interface LockRequest {
  /** The primary host: Kamal keeps the lock there. */
  host: string
  app: Pick<AppRef, 'service' | 'destination'>
  details: lockCommands.LockDetails
  /** Seconds of heartbeat silence after which a held lock is stale (x-cutover.lock.stale_after). */
  staleAfterS?: number
  /** `--break-stale-lock`: a stale lock (only) is broken, with a warning naming its holder. */
  breakStale?: boolean
  /** `--lock-wait SECONDS`: a held lock is asked for again until it is free or this long has passed. */
  waitS?: number
}

/** Without config (tests, callers that predate it): the config's default. */
const DEFAULT_STALE_AFTER_S = 120

export class LockHeldError extends Error {
  override name = 'LockHeldError'
}

interface LockDeps {
  pool: Hosts
  logger: Logger
  /** Secrets out of what the host said (its stderr, the lock's details); else the pool's own (a Session's). */
  redact?: ((text: string) => string) | undefined
  /** Told when the lock is taken and released, so a signal handler or post step can release it. */
  onLock?: ((held: { release: () => Promise<void> } | null) => void) | undefined
  /** Injected by tests: the clock and the pause between two asks of a held lock. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** How often a held lock is asked for again while waiting (`--lock-wait`); a line is printed every PROGRESS_EVERY_MS. */
export const LOCK_POLL_MS = 2_000

const redactorOf = (deps: Pick<LockDeps, 'pool' | 'redact'>): ((text: string) => string) => deps.redact ?? deps.pool.redact ?? ((text) => text)

/**
 * Hold the deploy lock around `work`, and always release it, failure included. A held lock fails
 * fast with the holder's details: waiting would only pile deploys up behind a dead one.
 */
export async function withLock<T>(req: LockRequest, deps: LockDeps, work: () => Promise<T>): Promise<T> {
  const redact = redactorOf(deps)
  const dir = lockDirectory(req.app)
  const host = await deps.pool.host(req.host)
  const staleAfter = req.staleAfterS ?? DEFAULT_STALE_AFTER_S
  const take = () => withProgress(deps.logger, req.host, `take the deploy lock ${dir}`, host.exec(lockCommands.acquire(dir, req.details), { timeoutMs: 30_000 }))
  let taken = await take()
  let outcome = lockCommands.interpretAcquire(taken.code, taken.stdout)
  if (req.waitS && !('error' in outcome) && !outcome.acquired) {
    // Wait for the holder to finish, saying who holds it at least every 10 s.
    const now = deps.now ?? Date.now
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
    const started = now()
    let said = -Infinity
    while (!('error' in outcome) && !outcome.acquired && now() - started < req.waitS * 1000) {
      if (now() - said >= PROGRESS_EVERY_MS) {
        said = now()
        deps.logger.info(redact(`${req.host}: waiting for the deploy lock ${dir} (${Math.round((now() - started) / 1000)}s of ${req.waitS}s, --lock-wait): ${lockCommands.describeLock(outcome.state)}`))
      }
      await sleep(Math.min(LOCK_POLL_MS, Math.max(0, req.waitS * 1000 - (now() - started))))
      taken = await take()
      outcome = lockCommands.interpretAcquire(taken.code, taken.stdout)
    }
  }
  if (!('error' in outcome) && !outcome.acquired && req.breakStale && lockCommands.isStale(outcome.state, staleAfter)) {
    // Only a lock whose holder stopped refreshing its heartbeat, and only that very lock (breakStale checks the heartbeat it read).
    const state = outcome.state
    deps.logger.warn(redact(`${req.host}: breaking the stale deploy lock ${dir} (--break-stale-lock): ${lockCommands.describeLock(state)}; stale after ${staleAfter}s`))
    const seen = state.held ? (state.ages?.heartbeat ?? '') : ''
    await host.exec(lockCommands.breakStale(dir, seen), { timeoutMs: 30_000 })
    taken = await take()
    outcome = lockCommands.interpretAcquire(taken.code, taken.stdout)
  }
  if ('error' in outcome) {
    throw new Error(redact(`${req.host}: could not take the deploy lock ${dir}: ${taken.stderr.trim() || `exit ${taken.code}`}`))
  }
  if (!outcome.acquired) throw new LockHeldError(redact(`${req.host}: the deploy lock ${dir} is held${req.waitS ? ` (still, after waiting ${req.waitS}s)` : ''}: ${lockCommands.describeLock(outcome.state)}. ${heldAdvice(outcome.state, staleAfter, req.breakStale)}`))
  const heartbeat = startHeartbeat(host, dir, staleAfter, deps.logger)
  let released = false
  // Rejects when the lock is still there afterwards: a failed `rm` would otherwise leave it held, silently.
  const release = async (): Promise<void> => {
    if (released) return
    released = true
    await heartbeat.stop()
    const r = await host.exec(lockCommands.release(dir), { timeoutMs: 30_000 })
    if (r.code !== 0) throw new Error(`removing ${dir} failed: ${r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`}`)
  }
  deps.onLock?.({ release })
  deps.logger.info(`took the deploy lock on ${req.host}`)
  try {
    return await work()
  } finally {
    await release().catch((e: unknown) => deps.logger.warn(redact(releaseFailed(req, dir, e))))
    deps.onLock?.(null)
  }
}

/** The warning for a lock left held: whose lock, why, and the command that releases it. */
function releaseFailed(req: LockRequest, dir: string, e: unknown): string {
  const { service, destination } = req.app
  const whose = `${service}${destination ? ` (destination ${destination})` : ''}`
  const command = `cutover lock release${destination ? ` -d ${destination}` : ''}`
  return (
    `could not release the deploy lock of ${whose} on ${req.host}: ${e instanceof Error ? e.message : String(e)}. ` +
    `It stays held and blocks the next deploy: release it with \`${command}\` (or remove ${dir} on ${req.host})`
  )
}

/** What to do about a held lock, by what its heartbeat says. */
function heldAdvice(state: lockCommands.LockState, staleAfterS: number, breakStale: boolean | undefined): string {
  if (lockCommands.isStale(state, staleAfterS)) return `Its holder stopped refreshing its heartbeat more than ${staleAfterS}s ago (x-cutover.lock.stale_after), so it is stale: run again with --break-stale-lock (Action input break-stale-lock: true) to break it.`
  if (breakStale && state.held && state.ages?.heartbeatS !== undefined) return `Its heartbeat is live, so --break-stale-lock leaves it alone: that deploy is still running. Wait for it to finish.`
  if (breakStale) return `It has no heartbeat (a Kamal lock, or an older cutover's), so it is never judged stale: if that deploy is no longer running, release it with \`cutover lock release\`.`
  return 'If that deploy is no longer running, release it with `cutover lock release` and run again.'
}

export type LockReport = { host: string; dir: string; state: lockCommands.LockState }

/** Read the deploy lock on the primary host (read-only). */
export async function lockStatus(pool: Pick<LockDeps, 'pool'>['pool'], host: string, app: LockRequest['app']): Promise<LockReport> {
  const dir = lockDirectory(app)
  const h = await pool.host(host)
  const r = await h.exec(lockCommands.status(dir), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new Error(redactorOf({ pool })(`${host}: could not read the deploy lock ${dir}: ${r.stderr.trim() || `exit ${r.code}`}`))
  return { host, dir, state: lockCommands.parseLockStatus(r.stdout) }
}

/**
 * Release the deploy lock. With `onlyRun`, only when the lock's `Run:` line names that run:
 * a post step must never release a lock another run holds.
 */
export async function releaseLock(
  pool: Pick<LockDeps, 'pool'>['pool'],
  host: string,
  app: LockRequest['app'],
  onlyRun?: (run: string | undefined) => boolean,
): Promise<{ released: boolean; report: LockReport }> {
  const report = await lockStatus(pool, host, app)
  if (!report.state.held) return { released: false, report }
  if (onlyRun && !onlyRun(report.state.details?.run)) return { released: false, report }
  const h = await pool.host(host)
  const r = await h.exec(lockCommands.release(report.dir), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new Error(redactorOf({ pool })(`${host}: could not remove the deploy lock ${report.dir}: ${r.stderr.trim() || `exit ${r.code}`}`))
  return { released: true, report }
}
