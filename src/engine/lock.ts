import * as lockCommands from '../commands/lock.js'
import { lockDirectory, type AppRef } from '../commands/names.js'
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
  /** Told when the lock is taken and released, so a signal handler or post step can release it. */
  onLock?: ((held: { release: () => Promise<void> } | null) => void) | undefined
}

/**
 * Hold the deploy lock around `work`, and always release it, failure included. A held lock fails
 * fast with the holder's details: waiting would only pile deploys up behind a dead one.
 */
export async function withLock<T>(req: LockRequest, deps: LockDeps, work: () => Promise<T>): Promise<T> {
  const dir = lockDirectory(req.app)
  const host = await deps.pool.host(req.host)
  const taken = await host.exec(lockCommands.acquire(dir, req.details), { timeoutMs: 30_000 })
  const outcome = lockCommands.interpretAcquire(taken.code, taken.stdout)
  if ('error' in outcome) {
    throw new Error(`${req.host}: could not take the deploy lock ${dir}: ${taken.stderr.trim() || `exit ${taken.code}`}`)
  }
  if (!outcome.acquired) {
    throw new LockHeldError(
      `${req.host}: the deploy lock ${dir} is held: ${lockCommands.describeLock(outcome.state)}. ` +
        'If that deploy is no longer running, release it with `cutover lock release` and run again.',
    )
  }
  let released = false
  const release = async (): Promise<void> => {
    if (released) return
    released = true
    await host.exec(lockCommands.release(dir), { timeoutMs: 30_000 })
  }
  deps.onLock?.({ release })
  deps.logger.info(`took the deploy lock on ${req.host}`)
  try {
    return await work()
  } finally {
    await release().catch((e: unknown) => deps.logger.warn(`could not release the deploy lock on ${req.host}: ${e instanceof Error ? e.message : String(e)}; release it with \`cutover lock release\``))
    deps.onLock?.(null)
  }
}
