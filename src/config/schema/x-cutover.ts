import type { z } from 'zod'
import { section } from './section.js'
import { seconds } from './values.js'

/**
 * cutover's own keys, under the one top-level `x-cutover:` map Kamal lets through (it rejects any
 * other unknown key). Each key is owned by one part of cutover; see BRIEF's contract.
 */

/** `lock.stale_after`: seconds of heartbeat silence after which a held deploy lock counts as stale (engine/lock.ts). */
const lockSchema = section({ stale_after: seconds(10).optional() }, { expected: 'a map with stale_after (seconds), e.g. { stale_after: 120 }' })

export const xCutoverSchema = section({ lock: lockSchema.optional() }, { expected: 'a map of cutover settings (lock, …)' })
export type XCutoverInput = z.output<typeof xCutoverSchema>
