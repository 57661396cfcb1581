import * as core from '@actions/core'
import type { EnginePort } from './engine-port.js'
import { readInputs } from './inputs.js'
import { GroupedLog } from './log-groups.js'
import { coreSink, runIO } from './main.js'
import { toTarget } from './requests.js'
import { STATE } from './state.js'

export interface PostDeps {
  engine: EnginePort
  env?: NodeJS.ProcessEnv
  signal: AbortSignal
}

/**
 * The post step. It has one job: when the main step died or was cancelled between taking the
 * deploy lock and releasing it, release that lock, and only if its `run:` line is this job's
 * id. In every other case it does nothing and prints nothing (a debug line at most).
 */
export async function runPost(deps: PostDeps): Promise<void> {
  const lock = core.getState(STATE.lock)
  const runId = core.getState(STATE.runId)
  if (lock !== 'maybe-held' || !runId) {
    core.debug(`cutover post: nothing to clean up (lock state: ${lock || 'none'})`)
    return
  }
  // The inputs are masked again: the post step is a new process with its own log.
  const inputs = readInputs({ get: (name) => core.getInput(name), setSecret: core.setSecret })
  const env = deps.env ?? process.env
  const logs = new GroupedLog(coreSink)
  core.info(`cutover: the main step stopped while it may have held the deploy lock; checking it (run ${runId})`)
  try {
    const pr = Number(core.getState(STATE.pr)) || undefined
    const r = await deps.engine.releaseLockIfOwned({ ...toTarget(inputs, runId, env), ...(pr ? { pr } : {}) }, runIO(logs, deps.signal))
    logs.flush()
    if (r.outcome === 'released') core.info(`cutover: released the deploy lock this run held:\n${r.details}`)
    else if (r.outcome === 'not-held') core.info('cutover: no deploy lock is held; nothing to release')
    else core.info(`cutover: the deploy lock belongs to someone else; left it alone:\n${r.details}`)
    core.saveState(STATE.lock, 'free')
  } catch (err) {
    logs.flush()
    core.setFailed(
      `cutover: could not check or release the deploy lock this run may hold: ${(err as Error).message}\n` +
        `Release it by hand once you have checked nobody is deploying: \`cutover lock release -c ${inputs.configFile}${inputs.destination ? ` -d ${inputs.destination}` : ''}\` (or \`kamal lock release\`).`,
    )
  }
}
