import type { z } from 'zod'
import { previewSchema } from './preview.js'
import { section } from './section.js'

/**
 * Every key cutover adds to Kamal's config lives under one top-level `x-cutover:` map. Kamal's
 * validator accepts unknown keys only at the top level and only when they start with `x-`
 * (a top-level `preview:` fails `kamal config` with "unknown key: preview", and an `x-…` key
 * inside a role is rejected too), so this is the one place both tools can share a file.
 * Per-role additions go under `x-cutover/roles/<role>`, never inside `servers/<role>`.
 */
export const xCutoverSchema = section(
  {
    preview: previewSchema.optional(),
  },
  { expected: 'a map of cutover settings (preview, …), e.g. x-cutover: { preview: { host: pr-{number}.example.com } }' },
)
export type XCutoverInput = z.output<typeof xCutoverSchema>
