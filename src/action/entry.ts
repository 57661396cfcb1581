import * as core from '@actions/core'
import type { EnginePort } from './engine-port.js'
import { EventError } from './event.js'
import { InputError } from './inputs.js'
import { runMain } from './main.js'
import { runPost } from './post.js'
import { STATE } from './state.js'
import { writeSummary } from './summary-file.js'
import { renderInputErrorSummary } from './summary-stopped.js'

/**
 * Runs the main or the post step, as the saved state says. Cancellation (the runner sends
 * SIGINT, then SIGTERM) aborts the engine so it can release the lock itself; the post step
 * is the fallback when it could not. User mistakes end as one error line, never a stack.
 */
export async function runEntry(engine: EnginePort, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const isPost = core.getState(STATE.isPost) === 'true'
  const controller = new AbortController()
  const cancel = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // The runner's second signal (SIGTERM 7.5 s after SIGINT): stop now; the post step
      // releases the lock if this run still holds it.
      core.info(`cutover: received ${signal} again; exiting`)
      process.exit(1)
    }
    core.info(`cutover: received ${signal}; stopping`)
    controller.abort(new Error(`cancelled (${signal})`))
  }
  process.on('SIGINT', cancel)
  process.on('SIGTERM', cancel)
  try {
    if (isPost) {
      await runPost({ engine, env, signal: controller.signal })
    } else {
      core.saveState(STATE.isPost, 'true')
      await runMain({ engine, env, signal: controller.signal })
    }
  } catch (err) {
    // A user mistake gets its message only; a stack (debug-only) is for bugs.
    if (!(err instanceof InputError || err instanceof EventError)) core.debug(err instanceof Error ? (err.stack ?? err.message) : String(err))
    core.setFailed(err instanceof Error ? err.message : String(err))
    // The job summary says it too: it is where people look first, and a refused fork PR shows the safe patterns there.
    if (err instanceof InputError) await writeSummary(renderInputErrorSummary(err.problems), core.warning, env)
    else if (err instanceof EventError) await writeSummary(renderInputErrorSummary([err.message]), core.warning, env)
  } finally {
    process.off('SIGINT', cancel)
    process.off('SIGTERM', cancel)
  }
  if (controller.signal.aborted) {
    // Cancelled and reported: end now. The engine cannot stop mid-step, so its work may still be
    // going on in the background, and must not go on after the lock was released. (Waiting for
    // the runner's SIGTERM would not do: a signal that lands while the handlers above are being
    // removed is lost.) Flush the log first: stdout may be a socket, written asynchronously.
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()))
    process.exit(process.exitCode ?? 1)
  }
}
