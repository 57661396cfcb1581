import { isPattern, matchesPattern } from './patterns.js'

/** The fields the gate reads from a check run (`GET /repos/{o}/{r}/commits/{ref}/check-runs`). */
export interface RawCheckRun {
  name: string
  status: string
  conclusion: string | null
  html_url: string | null
  details_url: string | null
  started_at?: string | null
  completed_at?: string | null
}

/** The fields the gate reads from one entry of the combined status (`.../commits/{ref}/status`). */
export interface RawStatus {
  context: string
  state: string
  target_url: string | null
  created_at?: string
  updated_at?: string
}

/** One check run or commit status, reduced to what the gate decides on. */
export interface CheckState {
  name: string
  source: 'check-run' | 'status'
  state: 'pending' | 'passed' | 'failed'
  /** A check run's status or conclusion, or a commit status' state, as GitHub spells it. */
  detail: string
  url: string | null
  /** When GitHub last saw activity on it (ms since epoch); null when it gives no time. */
  at: number | null
}

const time = (...stamps: (string | null | undefined)[]): number | null => {
  const ms = stamps.map((t) => (t ? Date.parse(t) : NaN)).filter((t) => !Number.isNaN(t))
  return ms.length ? Math.max(...ms) : null
}

export function fromCheckRun(run: RawCheckRun, allowed: ReadonlySet<string>): CheckState {
  const url = run.html_url ?? run.details_url
  const at = time(run.started_at, run.completed_at)
  if (run.status !== 'completed') return { name: run.name, source: 'check-run', state: 'pending', detail: run.status, url, at }
  const conclusion = run.conclusion ?? 'none'
  return { name: run.name, source: 'check-run', state: allowed.has(conclusion) ? 'passed' : 'failed', detail: conclusion, url, at }
}

export function fromStatus(s: RawStatus): CheckState {
  // Commit statuses only know pending/success/failure/error: conclusions do not apply.
  const state = s.state === 'success' ? 'passed' : s.state === 'pending' ? 'pending' : 'failed'
  return { name: s.context, source: 'status', state, detail: s.state, url: s.target_url, at: time(s.created_at, s.updated_at) }
}

/**
 * Whether a URL belongs to workflow run `runId`. Actions check runs link to
 * `.../actions/runs/<run id>/job/<job id>`; the boundary after the id keeps run 12 from
 * matching run 123. `runId` is digits only (resolveGateOptions checks), so safe in a RegExp.
 */
export function belongsToRun(url: string | null | undefined, runId: string): boolean {
  if (!url) return false
  return new RegExp(`/actions/runs/${runId}(?:[/?#]|$)`).test(url)
}

export function isOwnCheckRun(run: RawCheckRun, runId: string | undefined): boolean {
  return runId !== undefined && (belongsToRun(run.details_url, runId) || belongsToRun(run.html_url, runId))
}

export function isOwnStatus(s: RawStatus, runId: string | undefined): boolean {
  return runId !== undefined && belongsToRun(s.target_url, runId)
}

export type GateVerdict =
  | { kind: 'pass'; relevant: CheckState[]; noChecks: boolean }
  | { kind: 'fail'; reason: 'check-failed'; failed: CheckState[] }
  | { kind: 'fail'; reason: 'no-checks' }
  | { kind: 'fail'; reason: 'required-missing'; missing: string[] }
  | { kind: 'wait'; pending: CheckState[]; missing: string[] }

export interface EvaluateInput {
  /** Every check and status on the commit, this run's own already removed. */
  checks: readonly CheckState[]
  required: readonly string[]
  elapsedMs: number
  /**
   * Time since the newest activity on any check (undefined when there is none). Checks of one
   * push appear together; when the commit has been quiet for a whole window (a scheduled
   * redeploy of an old commit), no new check is coming and there is nothing to wait for.
   */
  quietMs?: number | undefined
  discoveryWindowMs: number
  whenNoChecks: 'pass' | 'fail'
}

/** The gate's decision for one poll. Pure, so every situation is a table row in the tests. */
export function evaluate(i: EvaluateInput): GateVerdict {
  const relevant = i.required.length ? i.checks.filter((c) => i.required.some((p) => matchesPattern(c.name, p))) : [...i.checks]
  const failed = relevant.filter((c) => c.state === 'failed')
  // A red required check decides at once, even while others are still running.
  if (failed.length) return { kind: 'fail', reason: 'check-failed', failed }

  const discovering = i.elapsedMs < i.discoveryWindowMs && (i.quietMs === undefined || i.quietMs < i.discoveryWindowMs)
  const missing = i.required.filter((p) => !i.checks.some((c) => matchesPattern(c.name, p)))
  const pending = relevant.filter((c) => c.state === 'pending')

  if (!i.required.length && relevant.length === 0) {
    if (discovering) return { kind: 'wait', pending: [], missing: [] }
    return i.whenNoChecks === 'pass' ? { kind: 'pass', relevant: [], noChecks: true } : { kind: 'fail', reason: 'no-checks' }
  }
  if (missing.length) {
    // After the window a required check that never showed up is most likely a typo or a
    // workflow that does not run for this commit: say so instead of waiting out the timeout.
    return discovering ? { kind: 'wait', pending, missing } : { kind: 'fail', reason: 'required-missing', missing }
  }
  if (pending.length) return { kind: 'wait', pending, missing: [] }
  // All green so far. Patterns and "all checks" can still gain members while checks of other
  // workflows are being created; only an exact, complete list is final before the window ends.
  const final = i.required.length > 0 && !i.required.some(isPattern)
  if (discovering && !final) return { kind: 'wait', pending: [], missing: [] }
  return { kind: 'pass', relevant, noChecks: false }
}
