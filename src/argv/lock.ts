import type { Argv } from './shell-join.js'
import { oneLine } from './text.js'

/**
 * The deploy lock, Kamal-compatible: the lock is the directory `.kamal/lock-<service>[-<dest>]`
 * (mkdir is atomic, so two deployers cannot both create it), and `details` inside holds the
 * base64 of a few `Key: value` lines. Kamal's `kamal lock status` decodes it with `base64 -d`,
 * so Kamal users see who holds a cutover lock and vice versa. We add a `Run:` line (the CI run).
 *
 * Each command is `sh -c <fixed script> <name> <args…>`: values travel as positional
 * parameters, never spliced into the script, so they cannot change its meaning.
 */

export interface LockDetails {
  lockedBy: string
  /** ISO 8601, UTC. */
  at: string
  version: string
  message: string
  /** The CI run holding the lock (e.g. a GitHub Actions run URL), when there is one. */
  run?: string
}

/** What `acquire` exits with when the lock is already held (it then prints the details). */
export const LOCK_HELD_EXIT = 75

export function renderLockDetails(d: LockDetails): string {
  return [
    `Locked by: ${oneLine(d.lockedBy)} at ${oneLine(d.at)}`,
    `Version: ${oneLine(d.version)}`,
    `Message: ${oneLine(d.message)}`,
    ...(d.run ? [`Run: ${oneLine(d.run)}`] : []),
  ].join('\n')
}

/**
 * Our heartbeat, a file of our own inside the lock directory: the holder rewrites it (the host's
 * `date +%s`) every few seconds while it runs, so a lock whose heartbeat went silent is known to
 * have a dead holder. Kamal's `details` is left as Kamal writes and reads it; Kamal's release
 * (`rm -r`) removes this file with the directory. A lock without it (Kamal's, an older cutover's)
 * has no heartbeat to judge, so it is never called stale.
 */
export const HEARTBEAT_FILE = 'cutover-heartbeat'

/**
 * One line before the details, with the host's own clock (so our clock's skew does not matter):
 * its time now, when the lock was taken (the details file's mtime, else the directory's), and the
 * last heartbeat (empty when there is none).
 */
const META = `printf '#cutover now=%s locked=%s heartbeat=%s\\n' "$(date +%s)" "$(stat -c %Y -- "$1/details" 2>/dev/null || stat -c %Y -- "$1" 2>/dev/null)" "$(cat -- "$1/${HEARTBEAT_FILE}" 2>/dev/null)"`

const ACQUIRE = [
  'mkdir -p -- "$(dirname -- "$1")" || exit 1',
  `if mkdir -- "$1" 2>/dev/null; then printf '%s\\n' "$2" > "$1/details" && date +%s > "$1/${HEARTBEAT_FILE}"; exit $?; fi`,
  `if [ -d "$1" ]; then ${META}; cat -- "$1/details" 2>/dev/null; exit ${LOCK_HELD_EXIT}; fi`,
  'mkdir -- "$1"', // not held, yet mkdir failed: run it again so its own error is reported
].join('\n')

/** Take the lock: exit 0 = taken; LOCK_HELD_EXIT = held by someone (stdout: their details). */
export const acquire = (dir: string, details: LockDetails): Argv => [
  'sh', '-c', ACQUIRE, 'cutover-lock', dir, Buffer.from(renderLockDetails(details)).toString('base64'),
]

/** Prints nothing when free; `held` then the raw details file when held. Read-only. */
export const LOCK_STATUS_SCRIPT = `[ -d "$1" ] || exit 0; echo held; ${META}; cat -- "$1/details" 2>/dev/null; exit 0`
export const status = (dir: string): Argv => ['sh', '-c', LOCK_STATUS_SCRIPT, 'cutover-lock', dir]

/** What `heartbeat` exits with when the lock directory is gone (someone released or broke it). */
export const LOCK_GONE_EXIT = 3

/** The holder's heartbeat: rewrite the file, only while the lock directory still exists. */
export const heartbeat = (dir: string): Argv => ['sh', '-c', `[ -d "$1" ] || exit ${LOCK_GONE_EXIT}; date +%s > "$1/${HEARTBEAT_FILE}"`, 'cutover-lock', dir]

/**
 * Break a stale lock, but only the one judged: its heartbeat must still read `seen` (a new
 * holder writes a fresh one as it takes the lock). The directory is renamed away first (atomic),
 * then removed, so a lock taken meanwhile is never what gets removed. LOCK_HELD_EXIT: it changed.
 */
export const breakStale = (dir: string, seen: string): Argv => [
  'sh', '-c',
  `[ "$(cat -- "$1/${HEARTBEAT_FILE}" 2>/dev/null)" = "$2" ] || exit ${LOCK_HELD_EXIT}; mv -- "$1" "$1.stale.$$" || exit ${LOCK_HELD_EXIT}; rm -rf -- "$1.stale.$$"`,
  'cutover-lock', dir, seen,
]

/** Removes the lock whoever holds it (`cutover lock release`, and our own release on exit). */
export const release = (dir: string): Argv => ['rm', '-rf', '--', dir]

/** Ages in seconds, by the host's clock. `heartbeatS` only when the lock has our heartbeat file. */
export interface LockAges {
  lockS: number
  heartbeatS?: number
  /** The heartbeat file's content, to break exactly this lock (breakStale). */
  heartbeat?: string
}

export type LockState = { held: false } | { held: true; details: LockDetails | null; text: string; ages?: LockAges }

/** Read `status` output. `text` is the decoded details (or the raw file if it is not base64). */
export function parseLockStatus(stdout: string): LockState {
  const lines = stdout.split('\n')
  if (lines[0]?.trim() !== 'held') return { held: false }
  return heldState(lines.slice(1).join('\n'))
}

/** Read `acquire`'s result: taken, held (with details), or a failure to report. */
export function interpretAcquire(code: number, stdout: string): { acquired: true } | { acquired: false; state: LockState } | { error: true } {
  if (code === 0) return { acquired: true }
  if (code === LOCK_HELD_EXIT) return { acquired: false, state: heldState(stdout) }
  return { error: true }
}

function heldState(output: string): LockState {
  const meta = /^#cutover now=(\d*) locked=(\d*) heartbeat=(\d*)\s*(?:\n|$)/.exec(output)
  const raw = meta ? output.slice(meta[0].length) : output
  const compact = raw.replace(/\s+/g, '')
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact !== '' ? Buffer.from(compact, 'base64').toString('utf8') : raw
  const ages = meta ? agesOf(meta[1]!, meta[2]!, meta[3]!) : undefined
  return { held: true, text: decoded.trim(), details: parseLockDetails(decoded), ...(ages ? { ages } : {}) }
}

function agesOf(now: string, locked: string, heartbeat: string): LockAges | undefined {
  if (!now || !locked) return undefined
  const since = (t: string): number => Math.max(0, Number(now) - Number(t))
  return { lockS: since(locked), ...(heartbeat ? { heartbeatS: since(heartbeat), heartbeat } : {}) }
}

/** A lock is stale only when it has our heartbeat and that heartbeat is older than `staleAfterS`. */
export function isStale(state: LockState, staleAfterS: number): boolean {
  return state.held && state.ages?.heartbeatS !== undefined && state.ages.heartbeatS > staleAfterS
}

export function parseLockDetails(text: string): LockDetails | null {
  const field = (name: string): string | undefined => new RegExp(`^${name}: ?(.*)$`, 'm').exec(text)?.[1]?.trim()
  const by = /^Locked by: (.*) at (\S+)\s*$/m.exec(text)
  if (!by) return null
  const run = field('Run')
  return { lockedBy: by[1] ?? '', at: by[2] ?? '', version: field('Version') ?? '', message: field('Message') ?? '', ...(run ? { run } : {}) }
}

/** One line for an error: who holds the lock, since when, for what. */
export function describeLock(state: LockState): string {
  if (!state.held) return 'the lock is free'
  if (!state.details) return `the lock is held: ${oneLine(state.text) || '(no details)'}`
  const d = state.details
  return `locked by ${d.lockedBy} at ${d.at} for version ${d.version}${d.message ? ` (${d.message})` : ''}${d.run ? `, run ${d.run}` : ''}${describeAges(state.ages)}`
}

/** `, held for 5m 3s, last heartbeat 4s ago` (or `, no heartbeat (not a cutover lock, or an older one)`). */
export function describeAges(ages: LockAges | undefined): string {
  if (!ages) return ''
  const heartbeat = ages.heartbeatS === undefined ? 'no heartbeat (a Kamal lock, or an older cutover\'s)' : `last heartbeat ${duration(ages.heartbeatS)} ago`
  return `, held for ${duration(ages.lockS)}, ${heartbeat}`
}

const duration = (s: number): string => (s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`)
