import * as lockCommands from '../argv/lock.js'
import { lockDirectory, type AppRef } from '../argv/names.js'
import type { Logger } from '../log.js'
import type { Hosts } from './hosts.js'

export interface LockRequest {
  /** The primary host: Kamal keeps the lock there. */
  host: string
  app: Pick<AppRef, 'service' | 'destination'>
  details: lockCommands.LockDetails
}

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
}

const redactorOf = (deps: Pick<LockDeps, 'pool' | 'redact'>): ((text: string) => string) => deps.redact ?? deps.pool.redact ?? ((text) => text)

/**
 * Hold the deploy lock around `work`, and always release it, failure included. A held lock fails
 * fast with the holder's details: waiting would only pile deploys up behind a dead one.
 */
export async function withLock<T>(req: LockRequest, deps: LockDeps, work: () => Promise<T>): Promise<T> {
  const redact = redactorOf(deps)
  const dir = lockDirectory(req.app)
  const host = await deps.pool.host(req.host)
  const taken = await host.exec(lockCommands.acquire(dir, req.details), { timeoutMs: 30_000 })
  const outcome = lockCommands.interpretAcquire(taken.code, taken.stdout)
  if ('error' in outcome) {
    throw new Error(redact(`${req.host}: could not take the deploy lock ${dir}: ${taken.stderr.trim() || `exit ${taken.code}`}`))
  }
  if (!outcome.acquired) {
    throw new LockHeldError(
      redact(
        `${req.host}: the deploy lock ${dir} is held: ${lockCommands.describeLock(outcome.state)}. ` +
          'If that deploy is no longer running, release it with `cutover lock release` and run again.',
      ),
    )
  }
  let released = false
  // Rejects when the lock is still there afterwards: a failed `rm` would otherwise leave it held, silently.
  const release = async (): Promise<void> => {
    if (released) return
    released = true
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
