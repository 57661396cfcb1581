import * as lockCommands from '../argv/lock.js'
import type { Logger } from '../log.js'
import type { RemoteHost } from '../remote/host.js'

/**
 * How often the holder refreshes its heartbeat: several times per stale_after (so one slow or
 * lost refresh never makes a live lock look stale), at most every 15 s (an exec on an open
 * connection is cheap), at least every second.
 */
export const heartbeatEveryMs = (staleAfterS: number): number => Math.min(15_000, Math.max(1_000, Math.floor((staleAfterS * 1000) / 8)))

export interface HeartbeatOptions {
  setInterval?: (fn: () => void, ms: number) => unknown
  clearInterval?: (handle: unknown) => void
}

/**
 * Rewrites the lock's heartbeat file every heartbeatEveryMs until stopped. A failed refresh is a
 * warning, never a failure of the deploy (the work under the lock matters more than the lock's
 * liveness record); a lock directory that vanished is said once, loudly: someone released or
 * broke this run's lock, and another deploy may now run alongside.
 */
export function startHeartbeat(host: RemoteHost, dir: string, staleAfterS: number, logger: Logger, options: HeartbeatOptions = {}): { stop: () => Promise<void> } {
  const set = options.setInterval ?? ((fn, ms) => setInterval(fn, ms))
  const clear = options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout))
  let inFlight: Promise<void> = Promise.resolve()
  let warned = false
  let gone = false
  const beat = (): void => {
    if (gone) return
    inFlight = host.exec(lockCommands.heartbeat(dir), { timeoutMs: 10_000 }).then(
      (r) => {
        if (r.code === lockCommands.LOCK_GONE_EXIT) {
          gone = true
          logger.warn(`the deploy lock ${dir} on ${host.name} was removed while this run held it (released or broken by someone else); another deploy may run alongside this one`)
        } else if (r.code !== 0 && !warned) {
          warned = true
          logger.warn(`could not refresh the deploy lock's heartbeat on ${host.name}: ${r.stderr.trim() || `exit ${r.code}`}`)
        }
      },
      (e: unknown) => {
        if (warned) return
        warned = true
        logger.warn(`could not refresh the deploy lock's heartbeat on ${host.name}: ${e instanceof Error ? e.message : String(e)}`)
      },
    )
  }
  const timer = set(beat, heartbeatEveryMs(staleAfterS))
  return {
    stop: async () => {
      clear(timer)
      await inFlight
    },
  }
}
