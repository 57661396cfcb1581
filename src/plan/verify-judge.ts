import { PROBE_MARK } from '../argv/verify.js'

/**
 * Pure reading of the verify window's probes (argv/verify.ts): is the new container still fine
 * after the switch? engine/verify.ts feeds it one sample per probe; tables test every rule.
 */

export interface Sample {
  /** Docker's State.Status. */
  status: string
  exitCode: number
  restarts: number
  startedAt: string
  /** Healthcheck status when the image has one. */
  health: string | null
  oomKilled: boolean
  /** HTTP status through kamal-proxy ('000' = no answer); null = not checked (no curl, no route). */
  proxyStatus: string | null
}

export type Reading = { sample: Sample } | { unreadable: string }

export function parseVerifyProbe(stdout: string, code: number): Reading {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean)
  const json = lines.find((l) => l.startsWith('{'))
  if (!json) return { unreadable: lines.filter((l) => !l.startsWith(PROBE_MARK)).join(' ').slice(0, 300) || `exit code ${code}` }
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(json) as Record<string, unknown>
  } catch {
    return { unreadable: json.slice(0, 300) }
  }
  const probe = lines.find((l) => l.startsWith(`${PROBE_MARK} `))?.slice(PROBE_MARK.length + 1).trim() ?? 'none'
  return {
    sample: {
      status: typeof raw.status === 'string' ? raw.status : '',
      exitCode: typeof raw.exit === 'number' ? raw.exit : 0,
      restarts: typeof raw.restarts === 'number' ? raw.restarts : 0,
      startedAt: typeof raw.started === 'string' ? raw.started : '',
      health: typeof raw.health === 'string' ? raw.health : null,
      oomKilled: raw.oom === true,
      proxyStatus: /^\d{3}$/.test(probe) ? probe : null,
    },
  }
}

/** What the watch remembers between samples. */
export interface WatchState {
  /** The first sample's restart count and start time (a fresh container starts from 0 restarts). */
  baseline: { restarts: number; startedAt: string | null } | null
  /** Consecutive failed proxy requests / unreadable probes: one can be a blip, two are not. */
  proxyMisses: number
  unreadable: number
}

export const MISSES_ALLOWED = 1

export const initialWatch = (fresh: boolean): WatchState => ({ baseline: fresh ? { restarts: 0, startedAt: null } : null, proxyMisses: 0, unreadable: 0 })

export type Verdict = { state: WatchState; failed: null } | { state: WatchState; failed: string }

/** One sample → the next state, and why the container failed (null while it is fine). */
export function judge(state: WatchState, reading: Reading): Verdict {
  if ('unreadable' in reading) {
    const next = { ...state, unreadable: state.unreadable + 1 }
    return { state: next, failed: next.unreadable > MISSES_ALLOWED ? `it could not be observed: ${reading.unreadable}` : null }
  }
  const s = reading.sample
  const baseline = state.baseline ?? { restarts: s.restarts, startedAt: s.startedAt }
  const next: WatchState = { baseline: { restarts: baseline.restarts, startedAt: baseline.startedAt ?? s.startedAt }, proxyMisses: state.proxyMisses, unreadable: 0 }
  const exit = `exit code ${s.exitCode}${s.oomKilled ? ', killed for lack of memory' : ''}`
  if (s.restarts > baseline.restarts) {
    return { state: next, failed: `it restarted (restart count ${s.restarts}, last ${exit}); it is ${s.status} now` }
  }
  if (s.status !== 'running') return { state: next, failed: `it is ${s.status || 'gone'} (${exit})` }
  if (baseline.startedAt && s.startedAt && s.startedAt !== baseline.startedAt) {
    return { state: next, failed: `it restarted (started again at ${s.startedAt}, last ${exit})` }
  }
  if (s.health === 'unhealthy') return { state: next, failed: 'its Docker healthcheck says unhealthy' }
  const proxyBad = s.proxyStatus !== null && (s.proxyStatus === '000' || s.proxyStatus.startsWith('5'))
  next.proxyMisses = proxyBad ? state.proxyMisses + 1 : 0
  if (next.proxyMisses > MISSES_ALLOWED) {
    return { state: next, failed: `through kamal-proxy on the host its health path ${s.proxyStatus === '000' ? 'got no answer' : `answered ${s.proxyStatus}`} ${next.proxyMisses} times in a row` }
  }
  return { state: next, failed: null }
}
