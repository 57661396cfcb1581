import { z } from 'zod'
import { kindOf } from '../errors.js'
import { isPlainMap } from '../yaml.js'

/**
 * A Kamal key cutover accepts, validates loosely, and does not act on yet. The normaliser warns
 * once for each one present, so nothing is silently ignored.
 */
export interface KamalOnlyKey {
  schema: z.ZodType
  /** Why it is not acted on, or what cutover does instead. */
  note?: string
}
export type KamalOnlyKeys = Record<string, KamalOnlyKey>

export interface UnknownKeyParams {
  kind: 'unknown-key'
  known: string[]
}

type Optionalize<K extends KamalOnlyKeys> = { [P in keyof K]: z.ZodOptional<K[P]['schema']> }

/**
 * A map of known keys (Kamal's `validate_against_example!`): `shape` holds the keys cutover acts on,
 * `kamalOnly` the Kamal keys it accepts with a warning, and any other key is an error carrying the
 * known keys so the error can suggest the closest one. `extensions` allows Kamal's `x-*` keys
 * (only at the root, as in Kamal). A key with no value (`proxy:`) reads as an empty map.
 */
export function section<S extends z.ZodRawShape, K extends KamalOnlyKeys = Record<never, KamalOnlyKey>>(
  shape: S,
  opts: { expected: string; kamalOnly?: K; extensions?: boolean },
) {
  const kamalOnly = (opts.kamalOnly ?? {}) as K
  const optional = Object.fromEntries(Object.entries(kamalOnly).map(([k, v]) => [k, v.schema.optional()])) as Optionalize<K>
  const known = [...Object.keys(shape), ...Object.keys(kamalOnly)]
  const object = z
    .looseObject({ ...shape, ...optional }, { error: (iss) => (iss.code === 'invalid_type' ? opts.expected : undefined) })
    .superRefine(
      (value, ctx) => {
        if (!isPlainMap(value)) return
        for (const key of Object.keys(value)) {
          if (known.includes(key) || (opts.extensions && key.startsWith('x-'))) continue
          ctx.addIssue({ code: 'custom', path: [key], message: 'is not a known key', params: { kind: 'unknown-key', known } satisfies UnknownKeyParams })
        }
      },
      // Report unknown keys even when a known key's value is also wrong: collect every error.
      { when: () => true },
    )
  return z.preprocess((v) => (v === null ? {} : v), object)
}

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'map' | 'null'
const kindKey = (v: unknown): Kind | undefined =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : isPlainMap(v) ? 'map' : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? (typeof v as Kind) : undefined

/**
 * Kamal's "either shape" keys (servers as a list or a map, env flat or with clear/secret, a password
 * as text or `[NAME]`) are chosen by the value's kind, so an error speaks about the shape the user
 * wrote instead of listing every alternative that failed.
 */
export function byKind<B extends Partial<Record<Kind, z.ZodType>>>(branches: B, expected: string) {
  return z.any().transform((value, ctx): z.output<NonNullable<B[keyof B]>> => {
    const kind = kindKey(value)
    const schema = kind && branches[kind]
    if (!schema) {
      ctx.addIssue({ code: 'custom', message: value === undefined ? 'is missing' : `is ${kindOf(value)}`, params: { expected } })
      return z.NEVER
    }
    const r = schema.safeParse(value, { reportInput: true })
    if (r.success) return r.data as z.output<NonNullable<B[keyof B]>>
    for (const issue of r.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0])
    return z.NEVER
  })
}
