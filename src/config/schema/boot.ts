import type { z } from 'zod'
import { section } from './section.js'
import { bool, leaf, seconds } from './values.js'

/** Kamal's `boot.limit`: how many hosts boot at a time, as a count or a percentage of all hosts. */
export type BootLimit = { count: number } | { percent: number }

const LIMIT_EXPECTED = 'a whole number of hosts (at least 1) or a percentage of hosts, e.g. 2 or 25%'

const limit = leaf<BootLimit>(LIMIT_EXPECTED, (v) => {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 1 ? { ok: true, value: { count: v } } : { ok: false, message: `is ${v}` }
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v.trim())
    const percent = m ? Number(m[1]) : NaN
    if (percent >= 1 && percent <= 100) return { ok: true, value: { percent } }
    return { ok: false, message: `${JSON.stringify(v)} is not a number of hosts or a percentage from 1% to 100%` }
  }
  return { ok: false, message: v === undefined || v === null ? 'has no value' : 'is not a number' }
})

/** Kamal `boot:` (rolling boot groups; see src/engine/boot-groups.ts). */
export const BOOT_KAMAL_ONLY = {
  parallel_roles: { schema: bool(), note: 'roles on one host boot one after another, the primary role first' },
}

export const bootSchema = section(
  { limit: limit.optional(), wait: seconds(0).optional() },
  { expected: 'a map with limit (hosts or a percentage) and wait (seconds), e.g. {limit: 2, wait: 10}', kamalOnly: BOOT_KAMAL_ONLY },
)
export type BootInput = z.output<typeof bootSchema>
