import type { HeldLock } from '../engine/request.js'
import type { RunIO } from './engine-port.js'

/**
 * Keeps the post step's `lock` state right around one engine operation. `maybe-held` is written
 * BEFORE the engine may take the lock: a step killed between the lock's mkdir on the host and
 * the engine reporting it taken must still leave the post step a lock to check (the post step
 * only releases a lock whose `run:` line is this run's, so checking too often is harmless).
 * Once the operation settles without holding the lock, the state goes back to `free`, so a
 * finished step's post step does nothing at all.
 */
export interface LockTracker {
  /** Call right before the engine may take the deploy lock. */
  attempting(): void
  /** The engine's onLock hook: called with the held lock once taken, and with null once released. */
  onLock(held: HeldLock | null): void
  /** Call once the operation settled (succeeded or failed). */
  settled(): void
}

/**
 * `releases` collects the release a cancellation starts, so the caller can let it finish before
 * the step reports and exits (the post step would otherwise have to do it).
 */
export function lockTracker(io: Pick<RunIO, 'lockState' | 'signal'>, releases: Promise<unknown>[] = []): LockTracker {
  let held = false
  let onAbort: (() => void) | null = null
  return {
    attempting: () => io.lockState(true),
    onLock(lock) {
      if (onAbort) io.signal.removeEventListener('abort', onAbort)
      onAbort = null
      held = lock !== null
      if (lock) {
        // The job is being cancelled: release now rather than leave it to the post step.
        onAbort = () => {
          releases.push(
            lock.release().then(
              () => io.lockState(false),
              () => undefined,
            ),
          )
        }
        io.signal.addEventListener('abort', onAbort, { once: true })
      }
      io.lockState(held)
    },
    settled() {
      if (!held) io.lockState(false)
    },
  }
}
