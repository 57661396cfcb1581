import type { z } from 'zod'
import { section } from './section.js'
import { bool, seconds } from './values.js'

/**
 * cutover's own keys, all under one top-level `x-cutover:` map: Kamal's validator accepts
 * unknown top-level keys only when they start with `x-`, so this is the one place they can live.
 * (Other keys of this map are added by other parts of cutover; see the BRIEF's contract.)
 *
 * `verify`: after kamal-proxy switches, the new container is watched for `window` seconds (0
 * turns it off); a container that exits, restarts or turns unhealthy in that time is switched
 * back to the old one. `fleet_rollback: false` keeps the other hosts on the new version when one
 * host rolls back (the default rolls them all back, so the fleet stays on one version).
 */
export const verifySchema = section(
  { window: seconds(0).optional(), fleet_rollback: bool().optional() },
  { expected: 'a map with window (seconds, 0 turns it off) and fleet_rollback (true or false)' },
)

export const xCutoverSchema = section({ verify: verifySchema.optional() }, { expected: 'a map of cutover settings (verify, …)' })
export type XCutoverInput = z.output<typeof xCutoverSchema>
