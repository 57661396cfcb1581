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

const ACQUIRE = [
  'mkdir -p -- "$(dirname -- "$1")" || exit 1',
  'if mkdir -- "$1" 2>/dev/null; then printf \'%s\\n\' "$2" > "$1/details"; exit $?; fi',
  `if [ -d "$1" ]; then cat -- "$1/details" 2>/dev/null; exit ${LOCK_HELD_EXIT}; fi`,
  'mkdir -- "$1"', // not held, yet mkdir failed: run it again so its own error is reported
].join('\n')

/** Take the lock: exit 0 = taken; LOCK_HELD_EXIT = held by someone (stdout: their details). */
export const acquire = (dir: string, details: LockDetails): Argv => [
  'sh', '-c', ACQUIRE, 'cutover-lock', dir, Buffer.from(renderLockDetails(details)).toString('base64'),
]

/** Prints nothing when free; `held` then the raw details file when held. Read-only. */
export const LOCK_STATUS_SCRIPT = '[ -d "$1" ] || exit 0; echo held; cat -- "$1/details" 2>/dev/null; exit 0'
export const status = (dir: string): Argv => ['sh', '-c', LOCK_STATUS_SCRIPT, 'cutover-lock', dir]

/** Removes the lock whoever holds it (`cutover lock release`, and our own release on exit). */
export const release = (dir: string): Argv => ['rm', '-rf', '--', dir]

export type LockState = { held: false } | { held: true; details: LockDetails | null; text: string }

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

function heldState(raw: string): LockState {
  const compact = raw.replace(/\s+/g, '')
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact !== '' ? Buffer.from(compact, 'base64').toString('utf8') : raw
  return { held: true, text: decoded.trim(), details: parseLockDetails(decoded) }
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
  return `locked by ${d.lockedBy} at ${d.at} for version ${d.version}${d.message ? ` (${d.message})` : ''}${d.run ? `, run ${d.run}` : ''}`
}
