import { setTimeout as delay } from 'node:timers/promises'
import { prefixedLogger, type Logger } from '../log.js'
import { evaluate, fromCheckRun, fromStatus, isOwnCheckRun, isOwnStatus, type CheckState, type RawCheckRun, type RawStatus } from './checks.js'
import { GitHubApiError, GitHubReader, seconds, type ApiErrorKind, type Purpose } from '../github/index.js'
import { resolveGateOptions, type GateOptions, type ResolvedGateOptions } from './options.js'

export interface GateDeps {
  fetch?: typeof fetch
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  logger?: Logger
  /** Aborts the wait (e.g. the build failed, so nobody needs the gate any more). */
  signal?: AbortSignal
}

interface ResultBase {
  /** One or more lines for a person: what happened, which checks, links, and what to do. */
  summary: string
  /** The checks the gate judged (this run's own excluded), as last seen. */
  checks: CheckState[]
  /** This workflow run's own check runs and statuses, which the gate ignored. */
  ignored: CheckState[]
  polls: number
  elapsedMs: number
}

export type GateResult =
  | (ResultBase & { status: 'passed'; noChecks: boolean })
  | (ResultBase & { status: 'failed'; reason: 'check-failed' | 'no-checks' | 'required-missing'; failed: CheckState[]; missing: string[] })
  | (ResultBase & { status: 'failed'; reason: 'api'; apiError: ApiErrorKind; failed: []; missing: [] })
  | (ResultBase & { status: 'timed-out'; pending: CheckState[]; missing: string[] })

const CHECK_RUNS: Purpose = { what: 'read check runs', permission: 'checks: read' }
const STATUSES: Purpose = { what: 'read commit statuses', permission: 'statuses: read' }

/**
 * Waits until the commit's CI is green: every required check run and commit status passed.
 * Returns at once when a required check fails; never throws for CI or API outcomes (only for
 * bad options and on abort), so the caller decides what a red gate means.
 */
export async function waitForChecks(options: GateOptions, deps: GateDeps = {}): Promise<GateResult> {
  const o = resolveGateOptions(options)
  const now = deps.now ?? Date.now
  const sleep = deps.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }))
  const log = deps.logger ?? prefixedLogger(() => {})
  const start = now()
  const deadline = start + o.timeoutMs
  const reader = new GitHubReader(o.apiUrl, o.token, { fetch: deps.fetch ?? fetch, now, sleep, logger: log, signal: deps.signal }, deadline)
  const sha = o.sha.slice(0, 12)

  log.info(`gate: waiting for CI on ${sha} of ${o.owner}/${o.repo} (${describeRequired(o)}; timeout ${seconds(o.timeoutMs)})`)
  const done = (result: GateResult): GateResult => {
    const level = result.status === 'passed' ? (result.noChecks ? 'warn' : 'info') : 'error'
    log[level](result.summary)
    return result
  }
  let checks: CheckState[] = []
  let ignored: CheckState[] = []
  let lastProgress = ''
  let lastIgnored = ''
  // Bounded twice: by the deadline, and by the poll count the deadline implies.
  const maxPolls = Math.ceil(o.timeoutMs / o.pollIntervalMs) + 2
  for (let polls = 1; ; polls++) {
    deps.signal?.throwIfAborted()
    const base = (): ResultBase => ({ summary: '', checks, ignored, polls, elapsedMs: now() - start })
    try {
      ;({ checks, ignored } = await readChecks(reader, o))
    } catch (err) {
      if (!(err instanceof GitHubApiError)) throw err
      if (err.pastDeadline) return done(timedOut(base(), o, checks.filter((c) => c.state === 'pending'), [], err.message))
      return done({ ...base(), status: 'failed', reason: 'api', apiError: err.kind, failed: [], missing: [], summary: err.message })
    }
    if (names(ignored) !== lastIgnored && ignored.length) log.info(`gate: ignoring this run's own checks: ${names(ignored)}`)
    lastIgnored = names(ignored)
    const newest = Math.max(...checks.map((c) => c.at ?? -Infinity))
    const quietMs = Number.isFinite(newest) ? Math.max(0, now() - newest) : undefined
    const verdict = evaluate({ checks, required: o.required, elapsedMs: now() - start, quietMs, discoveryWindowMs: o.discoveryWindowMs, whenNoChecks: o.whenNoChecks })
    const r = base()

    if (verdict.kind === 'pass') {
      const summary = verdict.noChecks
        ? `gate: ${sha} has no checks or statuses besides this run's own; passing (when-no-checks: pass)`
        : `gate: CI is green on ${sha}: ${names(verdict.relevant)}`
      return done({ ...r, checks: verdict.relevant, status: 'passed', noChecks: verdict.noChecks, summary })
    }
    if (verdict.kind === 'fail') {
      const failed = verdict.reason === 'check-failed' ? verdict.failed : []
      const missing = verdict.reason === 'required-missing' ? verdict.missing : []
      return done({ ...r, status: 'failed', reason: verdict.reason, failed, missing, summary: failureSummary(verdict.reason, o, failed, missing, checks) })
    }

    const progress = progressLine(verdict.pending, verdict.missing, checks.length)
    if (progress !== lastProgress) log.info(progress)
    else log.debug(`${progress} (poll ${polls}, ${reader.notModified} unchanged pages so far)`)
    lastProgress = progress

    const left = deadline - now()
    if (left <= 0 || polls >= maxPolls) return done(timedOut(r, o, verdict.pending, verdict.missing))
    await sleep(Math.min(o.pollIntervalMs, left), deps.signal)
  }
}

async function readChecks(reader: GitHubReader, o: ResolvedGateOptions): Promise<{ checks: CheckState[]; ignored: CheckState[] }> {
  const commit = `/repos/${encodeURIComponent(o.owner)}/${encodeURIComponent(o.repo)}/commits/${encodeURIComponent(o.sha)}`
  const runs = await reader.getAll(`${commit}/check-runs?per_page=100&filter=latest`, CHECK_RUNS, (b) => listOf<RawCheckRun>(b, 'check_runs', CHECK_RUNS))
  const statuses = await reader.getAll(`${commit}/status?per_page=100`, STATUSES, (b) => listOf<RawStatus>(b, 'statuses', STATUSES))
  const checks: CheckState[] = []
  const ignored: CheckState[] = []
  for (const run of runs) (isOwnCheckRun(run, o.runId) ? ignored : checks).push(fromCheckRun(run, o.allowedConclusions))
  for (const s of statuses) (isOwnStatus(s, o.runId) ? ignored : checks).push(fromStatus(s))
  return { checks, ignored }
}

function listOf<T>(body: unknown, key: string, purpose: Purpose): T[] {
  const list = (body as Record<string, unknown> | null)?.[key]
  if (!Array.isArray(list)) throw new GitHubApiError(`gate: unexpected answer when trying to ${purpose.what}: no "${key}" array`, 'http')
  return list as T[]
}

function timedOut(r: ResultBase, o: ResolvedGateOptions, pending: CheckState[], missing: string[], cause?: string): GateResult {
  const lines = [`gate: timed out after ${seconds(r.elapsedMs)} waiting for CI on ${o.sha.slice(0, 12)} (timeout ${seconds(o.timeoutMs)})`]
  if (cause) lines.push(`  ${cause}`)
  if (pending.length) lines.push(`  still pending: ${pending.map((c) => `${c.name} (${c.detail})`).join(', ')}`, ...links(pending))
  if (missing.length) lines.push(`  required but not found: ${missing.join(', ')}`)
  lines.push('  Raise gate-timeout if CI is just slow, or skip the gate.')
  return { ...r, status: 'timed-out', pending, missing, summary: lines.join('\n') }
}

function failureSummary(reason: 'check-failed' | 'no-checks' | 'required-missing', o: ResolvedGateOptions, failed: CheckState[], missing: string[], seen: CheckState[]): string {
  const sha = o.sha.slice(0, 12)
  if (reason === 'check-failed') {
    const what = failed.map((c) => `${c.source === 'status' ? 'status' : 'check'} "${c.name}" (${c.detail})`).join(', ')
    return [`gate: CI failed on ${sha}: ${what}`, ...links(failed), '  Fix or re-run it, then deploy again.'].join('\n')
  }
  if (reason === 'no-checks') {
    return (
      `gate: ${sha} of ${o.owner}/${o.repo} has no checks or statuses besides this run's own after ${seconds(o.discoveryWindowMs)}, ` +
      'and when-no-checks is "fail". Let CI run on this commit, or allow commits without checks.'
    )
  }
  return (
    `gate: required checks not found on ${sha} after ${seconds(o.discoveryWindowMs)}: ${missing.join(', ')}. ` +
    `Checks on this commit: ${seen.length ? names(seen) : 'none'}. Fix the names or patterns in "checks", or make CI run them for this commit.`
  )
}

function progressLine(pending: CheckState[], missing: string[], total: number): string {
  const parts: string[] = []
  if (pending.length) parts.push(`waiting on ${pending.map((c) => `${c.name} (${c.detail})`).join(', ')}`)
  if (missing.length) parts.push(`not created yet: ${missing.join(', ')}`)
  if (!parts.length) parts.push(total ? 'all green so far; watching for checks not created yet' : 'no checks yet; watching for checks not created yet')
  return `gate: ${total - pending.length} of ${total} checks done; ${parts.join('; ')}`
}

function describeRequired(o: ResolvedGateOptions): string {
  const own = o.runId ? ` except run ${o.runId}'s own` : ''
  return o.required.length ? `required: ${o.required.join(', ')}` : `required: every check${own}`
}

const names = (cs: readonly CheckState[]): string => cs.map((c) => c.name).join(', ')
const links = (cs: readonly CheckState[]): string[] => cs.filter((c) => c.url).map((c) => `  ${c.name}: ${c.url}`)
