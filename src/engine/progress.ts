import type { Logger } from '../log.js'

/** How often a wait says it is still waiting: the team's rule is at least every 10 s. */
export const PROGRESS_EVERY_MS = 10_000

export interface ProgressOptions {
  everyMs?: number
  /** Injected so tests need no real time. */
  setInterval?: (fn: () => void, ms: number) => unknown
  clearInterval?: (handle: unknown) => void
  now?: () => number
}

/**
 * Awaits `work`, printing `still waiting on HOST: STEP (Ns)` every PROGRESS_EVERY_MS until it
 * settles, so a long health check, pull, drain or lock wait never looks like a hang (and a real
 * hang shows where it is). Silent when the work is quicker than one interval.
 */
export async function withProgress<T>(logger: Logger, host: string, step: string, work: Promise<T>, options: ProgressOptions = {}): Promise<T> {
  const every = options.everyMs ?? PROGRESS_EVERY_MS
  const now = options.now ?? Date.now
  const set = options.setInterval ?? ((fn, ms) => setInterval(fn, ms))
  const clear = options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout))
  const started = now()
  const timer = set(() => logger.info(`still waiting on ${host}: ${step} (${Math.round((now() - started) / 1000)}s)`), every)
  try {
    return await work
  } finally {
    clear(timer)
  }
}
