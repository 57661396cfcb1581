import type { Logger } from '../log.js'

/**
 * Ctrl-C or a CI cancel (SIGINT, then SIGTERM) must not leave the deploy lock behind: release it,
 * then exit 130 (`onStop` prints what must still be printed, as `--json`'s result). A kill (SIGKILL) can't be caught; the Action's post step covers that case.
 */
export function releaseOnSignal(logger: Logger, onStop?: (signal: NodeJS.Signals) => void): { onLock: (held: { release: () => Promise<void> } | null) => void; dispose: () => void } {
  let held: { release: () => Promise<void> } | null = null
  const handler = (signal: NodeJS.Signals): void => {
    logger.warn(`${signal}: stopping${held ? ' and releasing the deploy lock' : ''}`)
    const release = held ? held.release().catch((e: unknown) => logger.error(`could not release the deploy lock: ${e instanceof Error ? e.message : String(e)}`)) : Promise.resolve()
    void release.finally(() => {
      // `--json` still gets its one object (json-result.ts) before the exit.
      onStop?.(signal)
      process.exit(130)
    })
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    onLock: (h) => {
      held = h
    },
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
