import type { z } from 'zod'
import { section } from './section.js'
import { leaf, mapOf } from './values.js'

/**
 * cutover's additions, all under the one top-level `x-cutover:` map (Kamal's validator accepts
 * unknown keys only at the top level and only when they start with `x-`). Per-role settings are
 * keyed by role name here, never inside `servers/<role>` (Kamal rejects `x-` keys there).
 */

/** How a role's old container makes way for the new one (see src/plan/strategy.ts). */
export const STRATEGIES = ['blue-green', 'recreate'] as const
export type Strategy = (typeof STRATEGIES)[number]

/**
 * Names other deployers use for strategies cutover does not implement. Refused rather than read
 * as one of ours, so a config never claims a behaviour the deploy would not honour.
 */
const RESERVED = new Set(['rolling', 'canary', 'rolling-update', 'ramped', 'shadow', 'a-b'])

export const STRATEGY_EXPECTED = `one of: ${STRATEGIES.join(', ')}`

const strategy = leaf<Strategy>(STRATEGY_EXPECTED, (v) => {
  if (typeof v === 'string' && (STRATEGIES as readonly string[]).includes(v)) return { ok: true, value: v as Strategy }
  if (typeof v === 'string' && RESERVED.has(v)) return { ok: false, message: `${JSON.stringify(v)} is reserved and not implemented` }
  if (typeof v === 'string') return { ok: false, message: `${JSON.stringify(v)} is not a deploy strategy` }
  return { ok: false, message: v === undefined || v === null ? 'has no value' : 'is not a string' }
})

const roleSettings = section({ strategy: strategy.optional() }, { expected: 'a map with strategy (blue-green or recreate)' })

export const xCutoverSchema = section(
  { roles: mapOf(roleSettings, 'a map of role name: { strategy }').optional() },
  { expected: 'a map of cutover settings, e.g. roles: { web: { strategy: blue-green } }' },
)
export type XCutoverInput = z.output<typeof xCutoverSchema>
