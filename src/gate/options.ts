/** What the gate waits for, as the Action or CLI hands it over. Durations are milliseconds. */
export interface GateOptions {
  /** REST API base, e.g. `https://api.github.com` or GHES' `https://ghe.example.com/api/v3`. */
  apiUrl: string
  /** Needs `checks: read` and `statuses: read`. Never logged. */
  token: string
  /** `owner/name`. */
  repository: string
  /** The commit whose CI must be green (a PR's head SHA, not the merge commit). */
  sha: string
  /**
   * This workflow run's id (GITHUB_RUN_ID). Every check run or status that links to
   * `/actions/runs/<runId>/` is ours (this deploy job and its matrix siblings) and is ignored,
   * so parallel deploy jobs never wait on each other.
   */
  runId?: string | number
  /** Check names or glob patterns (`*`, `?`) that must pass. Empty or absent: every check not ours. */
  required?: readonly string[]
  /** Check-run conclusions that count as passed. */
  allowedConclusions?: readonly string[]
  timeoutMs?: number
  pollIntervalMs?: number
  /**
   * How long to keep looking for checks that are not created yet (another workflow still
   * queued). The gate never passes on a partial picture before this has elapsed, unless every
   * required check was named exactly and all of them are green.
   */
  discoveryWindowMs?: number
  /** What a commit with no checks and no statuses at all (ours excepted) means. */
  whenNoChecks?: 'pass' | 'fail'
}

export interface ResolvedGateOptions {
  apiUrl: string
  token: string
  owner: string
  repo: string
  sha: string
  runId: string | undefined
  required: readonly string[]
  allowedConclusions: ReadonlySet<string>
  timeoutMs: number
  pollIntervalMs: number
  discoveryWindowMs: number
  whenNoChecks: 'pass' | 'fail'
}

export const DEFAULT_API_URL = 'https://api.github.com'

export const GATE_DEFAULTS = {
  allowedConclusions: ['success', 'skipped', 'neutral'],
  timeoutMs: 30 * 60_000,
  pollIntervalMs: 10_000,
  discoveryWindowMs: 15_000,
  whenNoChecks: 'pass',
} as const

/** GITHUB_API_URL is set on every runner (and on GHES points at the enterprise API). */
export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_API_URL?.trim() || DEFAULT_API_URL
}

/** Throws, for options a caller got wrong, an Error that names the option and the fix. */
export function resolveGateOptions(o: GateOptions): ResolvedGateOptions {
  const [owner, repo, ...rest] = o.repository.split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new Error(`gate: repository must look like "owner/name", got ${JSON.stringify(o.repository)}`)
  }
  if (!o.sha.trim()) throw new Error('gate: no commit SHA to wait on; pass the commit (e.g. GITHUB_SHA or the PR head SHA)')
  if (!o.token) throw new Error('gate: no GitHub token; pass github-token (it needs checks: read and statuses: read) or skip the gate')
  let apiUrl: URL
  try {
    apiUrl = new URL(o.apiUrl)
  } catch {
    throw new Error(`gate: API URL ${JSON.stringify(o.apiUrl)} is not a URL; set GITHUB_API_URL to e.g. ${DEFAULT_API_URL}`)
  }
  const duration = (name: string, value: number | undefined, fallback: number, min: number): number => {
    const v = value ?? fallback
    if (!Number.isFinite(v) || v < min) throw new Error(`gate: ${name} must be a number of milliseconds >= ${min}, got ${value}`)
    return v
  }
  const allowed = o.allowedConclusions?.length ? o.allowedConclusions : GATE_DEFAULTS.allowedConclusions
  const runId = o.runId === undefined || o.runId === '' ? undefined : String(o.runId).trim()
  if (runId !== undefined && !/^\d+$/.test(runId)) {
    throw new Error(`gate: run id must be the number in GITHUB_RUN_ID, got ${JSON.stringify(o.runId)}`)
  }
  return {
    apiUrl: apiUrl.href.replace(/\/+$/, ''),
    token: o.token,
    owner,
    repo,
    sha: o.sha.trim(),
    runId,
    required: (o.required ?? []).map((r) => r.trim()).filter((r) => r !== ''),
    allowedConclusions: new Set(allowed.map((c) => c.trim().toLowerCase())),
    timeoutMs: duration('timeout', o.timeoutMs, GATE_DEFAULTS.timeoutMs, 0),
    pollIntervalMs: duration('poll interval', o.pollIntervalMs, GATE_DEFAULTS.pollIntervalMs, 1),
    discoveryWindowMs: duration('discovery window', o.discoveryWindowMs, GATE_DEFAULTS.discoveryWindowMs, 0),
    whenNoChecks: o.whenNoChecks ?? GATE_DEFAULTS.whenNoChecks,
  }
}
