import type { Exec, Rollback, Step } from '../plan/steps.js'
import { initialWatch, judge, parseVerifyProbe, type Reading } from '../plan/verify-judge.js'
import type { ExecResult, RemoteHost } from '../remote/host.js'
import type { ExecuteOptions } from './execute.js'
import { RollbackError } from './errors.js'

type VerifyStep = Extract<Step, { kind: 'verify' }>

/** How often the window probes (one SSH round trip each): a crash is seen within about this. */
export const VERIFY_INTERVAL_MS = 500
const PROGRESS_EVERY_MS = 10_000

/**
 * The verify window after a switch: probe the new container every VERIFY_INTERVAL_MS for
 * `windowS`; if it exits, restarts, turns unhealthy, or kamal-proxy's route to it fails, switch
 * back at once. Then (fleet rollback) wait until every host of this role passed too; if any host
 * anywhere failed instead, switch back as well. Throws a RollbackError that names what was seen and
 * says the old version is serving; returns normally when the run may stop the old container.
 */
export async function verifySwitch(host: RemoteHost, step: VerifyStep, options: ExecuteOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const interval = options.pollIntervalMs ?? VERIFY_INTERVAL_MS
  const member = options.fleet
  const samples = Math.max(1, Math.ceil((step.windowS * 1000) / interval))
  let state = initialWatch(step.fresh)
  for (let i = 0; i <= samples; i++) {
    if (i > 0) await sleep(interval)
    // A long window still says what it waits for (about every 10 s).
    if (i > 0 && (i * interval) % PROGRESS_EVERY_MS < interval) options.logger.info(`verify: watching ${step.container} (${Math.round((i * interval) / 1000)}s of ${step.windowS}s)`)
    const reading = await send(host, step.exec).then(
      (r): Reading => parseVerifyProbe(r.stdout, r.code),
      (e: unknown): Reading => ({ unreadable: e instanceof Error ? e.message : String(e) }),
    )
    const verdict = judge(state, reading)
    state = verdict.state
    if (verdict.failed !== null) {
      member?.fleet.failed(member.host, member.role, `${step.container} ${verdict.failed}`)
      throw await rollBack(host, step.container, step.rollback, `it failed within ${step.windowS}s after the switch: ${verdict.failed}`, options)
    }
  }
  if (!member) return
  const waiting = member.fleet.verdict(member.host, member.role)
  const started = Date.now()
  const progress = setInterval(() => {
    const others = member.fleet.pending(member.role)
    options.logger.info(`verify: ${step.container} passed; waiting for ${others.join(', ') || 'the other hosts'} (${Math.round((Date.now() - started) / 1000)}s)`)
  }, PROGRESS_EVERY_MS)
  const other = await waiting.finally(() => clearInterval(progress))
  if (other !== null) throw await rollBack(host, step.container, step.rollback, `the fleet rolls back because ${other}`, options)
  member.fleet.finished(member.host, member.role, async () => (await rollBack(host, step.container, step.rollback, `the fleet rolls back because ${member.fleet.failure}`, options)).message)
}

/**
 * Undo a switch: start the previous container (a no-op while it runs), switch kamal-proxy back
 * to it (the same zero-downtime deploy: it health-checks the old one before moving traffic),
 * then read the new one's log tail and take it away. Returns the error to throw, redacted.
 */
export async function rollBack(host: RemoteHost, container: string, rb: Rollback, why: string, options: ExecuteOptions): Promise<RollbackError> {
  options.logger.warn(`rolling back ${container}: ${why}`)
  const problems: string[] = []
  let serving: string
  if (rb.previous) {
    const started = await trySend(host, rb.previous.start)
    if (started.code !== 0) problems.push(`starting ${rb.previous.name} failed: ${said(started)}`)
    const old = `${rb.previous.name}${rb.previous.version ? ` (${rb.previous.version})` : ''}`
    if (rb.switchBack) {
      const back = await trySend(host, rb.switchBack)
      serving = back.code === 0 ? `switched back to ${old}: old version serving` : `switching back to ${old} FAILED (${said(back)}): run \`cutover rollback\``
    } else {
      serving = started.code === 0 ? `${old} kept running: old version serving` : `${old} could not be started`
    }
  } else {
    serving = 'nothing served this role before this run, so there is no old version to go back to'
  }
  const logs = await trySend(host, rb.logs)
  const tail = `${logs.stdout}${logs.stderr}`.trimEnd()
  const removed = await trySend(host, rb.removeNew)
  if (removed.code !== 0) problems.push(`removing ${container} failed (${said(removed)}); the next run removes it`)
  const logText = tail ? `\nlast log lines of ${container}:\n${tail}` : `\n${container} printed no log lines`
  return new RollbackError(options.redact(`new container ${container} rolled back: ${why}; ${serving}${problems.length ? `; ${problems.join('; ')}` : ''}${logText}`))
}

const send = (host: RemoteHost, exec: Exec): Promise<ExecResult> =>
  host.exec(exec.argv, { ...(exec.stdin ? { stdin: exec.stdin.reveal() } : {}), ...(exec.timeoutMs ? { timeoutMs: exec.timeoutMs } : {}) })

const trySend = (host: RemoteHost, exec: Exec): Promise<ExecResult> =>
  send(host, exec).catch((e: unknown) => ({ code: -1, stdout: '', stderr: e instanceof Error ? e.message : String(e) }))

const said = (r: ExecResult): string => (r.stderr.trim() || r.stdout.trim()).split('\n')[0]?.trim() || `exit code ${r.code}`
