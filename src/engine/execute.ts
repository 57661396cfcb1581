import { shellJoin } from '../argv/shell-join.js'
import { interpretHealth } from '../argv/docker.js'
import type { Logger } from '../log.js'
import { describeStep, type Exec, type OnFailure, type Step } from '../plan/steps.js'
import type { ExecResult, RemoteHost } from '../remote/host.js'
import { Outage } from './outage.js'
import { pausePoint, type PauseAt } from './pause.js'

export interface ExecuteOptions {
  logger: Logger
  /** Replace every secret value in text shown to users (container log tails, command errors). */
  redact: (text: string) => string
  /** Test hook: stop for good at a named point (see pause.ts). */
  pauseAt?: PauseAt | undefined
  /** Injected so tests need no real time. */
  sleep?: (ms: number) => Promise<void>
  /** How often a health poll repeats for roles without the proxy. */
  pollIntervalMs?: number
  /** Awaited before each step (the barrier holds a worker's `stop` here); a rejection fails the step. */
  before?: (step: Step) => Promise<void>
  /** Told after each step that succeeded (a primary role's switch opens the barrier). */
  after?: (step: Step) => void
  /** Clock for the recreate downtime; default Date.now. */
  now?: () => number
}

/** What the steps did beyond succeeding: a recreate role's measured downtime (outage.ts). */
export interface ExecuteReport {
  downtimeMs?: number
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Run a host's planned steps in order. A failing step stops the rest, except `bestEffort` steps,
 * which tidy up after the switch: they warn, and the next run retries them. When the new container
 * never gets healthy, its log tail (redacted) goes into the error and it is cleaned up, so the old
 * one keeps serving and nothing broken is left behind.
 */
export async function executeSteps(host: RemoteHost, steps: readonly Step[], options: ExecuteOptions): Promise<ExecuteReport> {
  const { logger, redact } = options
  let newContainer: OnFailure | null = null
  const outage = new Outage(options.now ?? Date.now)
  for (const step of steps) {
    try {
      await options.before?.(step)
    } catch (e) {
      // Held back (the barrier closed): take the new container away again, keep the old one.
      const cleaned = newContainer ? await send(host, newContainer.cleanup).then((r) => r.code === 0, () => false) : true
      const why = e instanceof Error ? e.message : String(e)
      const restored = await outage.undo((exec) => send(host, exec))
      throw new Error(options.redact(`${why}; kept the previous version${cleaned ? '' : ' (removing the new container failed; the next run does it)'}${restored}`))
    }
    logger.info(describeStep(step))
    outage.before(step)
    try {
      await runStep(host, step, options)
    } catch (e) {
      const message = redact(e instanceof Error ? e.message : String(e))
      if (step.bestEffort) {
        logger.warn(`${describeStep(step)} failed, left for the next run: ${message}`)
        continue
      }
      // `message` is the error's own text, redacted (again: redacting is idempotent).
      const restored = redact(await outage.undo((exec) => send(host, exec)))
      throw new Error(`${message}${restored}`)
    }
    outage.after(step)
    if (step.kind === 'awaitHealthy' || step.kind === 'proxyDeploy') newContainer = step.onFailure
    options.after?.(step)
    if (step.kind === 'run' || step.kind === 'start') await pausePoint('after-start', options.pauseAt, logger)
  }
  return outage.downtimeMs !== undefined ? { downtimeMs: outage.downtimeMs } : {}
}

async function runStep(host: RemoteHost, step: Step, options: ExecuteOptions): Promise<void> {
  switch (step.kind) {
    case 'writeFile':
      await host.upload(step.content.reveal(), step.path, step.mode)
      return
    case 'proxyDeploy': {
      const result = await send(host, step.exec)
      if (result.code !== 0) {
        const why = firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${result.code}`
        throw await failNewContainer(host, step.container, `kamal-proxy did not switch ${step.service} to it: ${why}`, step.onFailure, options)
      }
      return
    }
    case 'awaitHealthy':
      await awaitHealthy(host, step, options)
      return
    default:
      await check(host, step.exec, describeStep(step), options.redact)
  }
}

async function awaitHealthy(host: RemoteHost, step: Extract<Step, { kind: 'awaitHealthy' }>, options: ExecuteOptions): Promise<void> {
  const sleep = options.sleep ?? realSleep
  const interval = options.pollIntervalMs ?? 1000
  let waited = 0
  for (;;) {
    const result = await send(host, step.exec)
    const health = result.code === 0 ? interpretHealth(result.stdout) : 'failed'
    if (health === 'ready') return
    if (health === 'failed') {
      throw await failNewContainer(host, step.container, `it stopped or became unhealthy (${result.stdout.trim() || `exit ${result.code}`})`, step.onFailure, options)
    }
    if (waited >= step.timeoutMs) {
      throw await failNewContainer(host, step.container, `it was not running within ${Math.round(step.timeoutMs / 1000)}s`, step.onFailure, options)
    }
    await sleep(interval)
    waited += interval
  }
}

/** Read the new container's last log lines, remove (or stop) it, and say why it failed. */
async function failNewContainer(host: RemoteHost, container: string, why: string, onFailure: OnFailure, options: ExecuteOptions): Promise<Error> {
  const logs = await send(host, onFailure.logs).catch(() => null)
  const tail = logs ? `${logs.stdout}${logs.stderr}`.trimEnd() : ''
  const cleanup = await send(host, onFailure.cleanup).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }))
  const leftover = cleanup.code === 0 ? '' : `\n(cleaning up ${container} failed too: ${firstLine(cleanup.stderr)}; the next run removes it)`
  const logText = tail ? `\nlast log lines of ${container}:\n${tail}` : `\n${container} printed no log lines`
  return new Error(options.redact(`new container ${container} never became healthy: ${why}; the previous version keeps serving${leftover}${logText}`))
}

const send = (host: RemoteHost, exec: Exec): Promise<ExecResult> =>
  host.exec(exec.argv, { ...(exec.stdin ? { stdin: exec.stdin.reveal() } : {}), ...(exec.timeoutMs ? { timeoutMs: exec.timeoutMs } : {}) })

async function check(host: RemoteHost, exec: Exec, what: string, redact: (s: string) => string): Promise<ExecResult> {
  const result = await send(host, exec)
  if (result.code !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n')
    throw new Error(redact(`${what} failed (exit ${result.code}): ${said || shellJoin(exec.argv.slice(0, 3))}`))
  }
  return result
}

const firstLine = (text: string): string => text.trim().split('\n')[0]?.trim() ?? ''
