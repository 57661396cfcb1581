import type { z } from 'zod'
import { previewSchema } from './preview.js'
import { section } from './section.js'
import { bool, count, leaf, mapOf, seconds } from './values.js'

/**
 * Every key cutover adds to Kamal's config lives under one top-level `x-cutover:` map. Kamal's
 * validator accepts unknown keys only at the top level and only when they start with `x-`
 * (a top-level `preview:` fails `kamal config` with "unknown key: preview", and an `x-…` key
 * inside a role is rejected too), so this is the one place both tools can share a file.
 * Per-role additions go under `x-cutover/roles/<role>`, never inside `servers/<role>`.
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

/** `lock.stale_after`: seconds of heartbeat silence after which a held deploy lock counts as stale (engine/lock.ts). */
const lockSchema = section({ stale_after: seconds(10).optional() }, { expected: 'a map with stale_after (seconds), e.g. { stale_after: 120 }' })

/**
 * `verify`: after kamal-proxy switches, the new container is watched for `window` seconds (0
 * turns it off); a container that exits, restarts or turns unhealthy in that time is switched
 * back to the old one. `fleet_rollback: false` keeps the other hosts on the new version when one
 * host rolls back (the default rolls them all back, so the fleet stays on one version).
 */
export const verifySchema = section(
  { window: seconds(0).optional(), fleet_rollback: bool().optional() },
  { expected: 'a map with window (seconds, 0 turns it off) and fleet_rollback (true or false)' },
)

/**
 * `bootstrap.install_url`: the script `cutover server bootstrap` pipes to `sh` on a host without
 * Docker (default Docker's https://get.docker.com): a mirror, or in tests a stub served inside the testbed.
 */
const bootstrapSchema = section(
  { install_url: leaf<string>('an http(s) URL of a Docker install script, e.g. https://get.docker.com', (v) =>
    typeof v === 'string' && /^https?:\/\/[^\s'"]+$/.test(v) ? { ok: true, value: v } : { ok: false, message: typeof v === 'string' ? `${JSON.stringify(v)} is not an http(s) URL` : 'is not a string' },
  ).optional() },
  { expected: 'a map with install_url, e.g. { install_url: https://get.docker.com }' },
)

/**
 * `fanout.max_connections`: at most this many SSH connections open at once across the hosts
 * (src/remote/bound.ts; default 30, Kamal's own concurrency). `--max-connections` and the Action's
 * `max-connections` input override it.
 */
const fanoutSchema = section(
  { max_connections: count(1, 'a whole number of connections, at least 1, e.g. 8').optional() },
  { expected: 'a map with max_connections (a whole number, at least 1), e.g. { max_connections: 8 }' },
)

const roleSettings = section({ strategy: strategy.optional() }, { expected: 'a map with strategy (blue-green or recreate)' })

export const xCutoverSchema = section(
  {
    preview: previewSchema.optional(),
    roles: mapOf(roleSettings, 'a map of role name: { strategy }').optional(),
    lock: lockSchema.optional(),
    verify: verifySchema.optional(),
    bootstrap: bootstrapSchema.optional(),
    fanout: fanoutSchema.optional(),
  },
  { expected: 'a map of cutover settings (preview, roles, lock, verify, fanout), e.g. x-cutover: { preview: { host: pr-{number}.example.com } }' },
)
export type XCutoverInput = z.output<typeof xCutoverSchema>
