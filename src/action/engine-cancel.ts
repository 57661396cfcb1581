import { ConfigErrors } from '../config/index.js'
import { LockHeldError } from '../engine/lock.js'
import { GateFailedError } from '../engine/ship.js'
import { EngineFailure, type RunIO, type RunOutcome } from './engine-port.js'

/** How long a cancelled run waits for the lock release the cancellation started (the runner's SIGTERM comes 7.5 s after SIGINT). */
const RELEASE_ON_CANCEL_MS = 5_000

/**
 * Turn the engine's own errors into the failures the Action reports. Cancellation rejects
 * without waiting for the engine (it cannot stop mid-step), but only once the lock release the
 * cancellation started has finished, or RELEASE_ON_CANCEL_MS passed (the post step covers that).
 */
export async function guarded<T = RunOutcome>(io: RunIO, work: (releases: Promise<unknown>[]) => Promise<T>): Promise<T> {
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

/** The engine's errors that the Action reports in their own way (annotations per config problem, the gate's checks, the lock's holder). */
export function toFailure(e: unknown): EngineFailure {
  if (e instanceof EngineFailure) return e
  if (e instanceof ConfigErrors) return new EngineFailure(`${e.errors.length} config error${e.errors.length === 1 ? '' : 's'}`, { kind: 'config', problems: [...e.errors] })
  if (e instanceof GateFailedError) return new EngineFailure(e.message, { kind: 'gate', gate: e.gate })
  if (e instanceof LockHeldError) return new EngineFailure(e.message, { kind: 'lock-held', holder: e.message })
  return new EngineFailure(e instanceof Error ? e.message : String(e))
}
