import type { Logger } from '../log.js'

/**
 * A deterministic stop for tests of "killed halfway": with CUTOVER_PAUSE_AT=after-start, the
 * deploy halts for good right after it starts the new container (before the proxy switch) and
 * prints PAUSE_MARKER, so a test can SIGKILL it at exactly that point. Off unless set.
 */
export type PauseAt = 'after-start'

export const PAUSE_MARKER = 'cutover: paused at'

export function pauseAtFromEnv(env: NodeJS.ProcessEnv): PauseAt | undefined {
  const value = env['CUTOVER_PAUSE_AT']
  if (value === undefined || value === '') return undefined
  if (value !== 'after-start') throw new Error(`CUTOVER_PAUSE_AT=${value} is not a known pause point; the only one is after-start`)
  return value
}

export async function pausePoint(here: PauseAt, wanted: PauseAt | undefined, logger: Logger): Promise<void> {
  if (here !== wanted) return
  logger.info(`${PAUSE_MARKER} ${here}; waiting to be killed`)
  // Never resolves; the interval keeps the process alive until the test kills it.
  await new Promise<never>(() => setInterval(() => undefined, 60_000))
}
