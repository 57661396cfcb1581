import * as core from '@actions/core'
import { EngineFailure, type EnginePort, type RunIO, type Target } from './engine-port.js'
import type { ActionInputs } from './inputs.js'

/**
 * `command: exec` (a migration before or after a deploy): `exec` runs in a new container of
 * `version` (default: the version running) on the primary host. Its output goes in one log
 * group; its exit code is the step's (non-zero: the step fails, saying so).
 */
export async function runExecStep(engine: EnginePort, inputs: ActionInputs, target: Target, io: RunIO): Promise<void> {
  if (!engine.exec) throw new Error('this engine cannot run `command: exec`')
  const group = io.phase(`exec: ${inputs.exec!.join(' ')}`)
  try {
    const r = await engine.exec({ ...target, version: inputs.version, cmd: inputs.exec!, onLine: (line) => group.info(line) }, io)
    group.end()
    core.info(`cutover exec: ${inputs.exec!.join(' ')} on ${r.host} (version ${r.version}) exited ${r.exitCode}`)
    if (r.exitCode !== 0) {
      core.error(`the command exited ${r.exitCode} on ${r.host}`, { title: 'cutover exec failed' })
      process.exitCode = r.exitCode
    }
  } catch (e) {
    group.end()
    core.error(e instanceof EngineFailure || e instanceof Error ? e.message : String(e), { title: 'cutover exec failed' })
    process.exitCode = 1
  }
}
