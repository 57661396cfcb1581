import type { Flat } from './settings.js'

/**
 * What changes for one role on one host, as lines people read (dry run, result table, JSON,
 * job summary). Pure: the settings recorded on the container that serves now, against the
 * desired ones.
 *
 *   image reg/app:v1@sha256:ab12… → reg/app:v2@sha256:cd34…
 *   env.clear.POOL: 5 → 10
 *   secret DATABASE_URL changed
 */
export interface Side {
  values: Flat
  /** NAME → keyed hash; null = not comparable (no host key yet, or not recorded). */
  secrets: Flat | null
}

export interface DiffInput {
  /** null: nothing of this role serves (a first boot). */
  before: Side | 'unrecorded' | null
  after: Side
  /** The image line when the image is not built yet: `to be built from <commit>`. */
  unbuiltFrom?: string | undefined
}

const NONE = '(none)'
const SHORT = 12

/** `repo:tag@sha256:<12 hex>`: enough to tell two images apart in a line. */
export function shortImage(ref: string): string {
  const at = ref.lastIndexOf('@')
  if (at < 0) return ref
  const [algo, hex] = ref.slice(at + 1).split(':')
  return hex ? `${ref.slice(0, at)}@${algo}:${hex.slice(0, SHORT)}` : ref
}

export function diffSettings(input: DiffInput): string[] {
  const { before, after } = input
  const afterImage = input.unbuiltFrom ? `to be built from ${input.unbuiltFrom}` : shortImage(after.values.image ?? NONE)
  if (before === null) return [`new: image ${afterImage}`]
  if (before === 'unrecorded') return [`image → ${afterImage}`, 'settings of the serving container were not recorded (deployed by Kamal or an older cutover): other changes unknown']
  const lines: string[] = []
  const beforeImage = before.values.image ?? NONE
  if (input.unbuiltFrom || beforeImage !== after.values.image) lines.push(`image ${shortImage(beforeImage)} → ${afterImage}`)
  const keys = [...new Set([...Object.keys(before.values), ...Object.keys(after.values)])].filter((k) => k !== 'image').sort()
  for (const k of keys) {
    const a = before.values[k]
    const b = after.values[k]
    if (a !== b) lines.push(`${k}: ${a ?? NONE} → ${b ?? NONE}`)
  }
  if (before.secrets === null || after.secrets === null) {
    const names = Object.keys(after.secrets ?? {})
    if (names.length) lines.push(`secrets not compared (no record of them on this host yet): ${names.sort().join(', ')}`)
    return lines
  }
  const names = [...new Set([...Object.keys(before.secrets), ...Object.keys(after.secrets)])].sort()
  for (const n of names) {
    const a = before.secrets[n]
    const b = after.secrets[n]
    if (a === undefined) lines.push(`secret ${n} added`)
    else if (b === undefined) lines.push(`secret ${n} removed`)
    else if (a !== b) lines.push(`secret ${n} changed`)
  }
  return lines
}
