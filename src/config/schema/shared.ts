import { section } from './section.js'
import { mapOf, stringish, text } from './values.js'

/** cutover and Kamal set these labels themselves; a user label must not replace them. */
export const RESERVED_LABELS = ['service', 'role', 'destination']

export const labelsSchema = mapOf(stringish(), 'a map of label: value').superRefine((labels, ctx) => {
  for (const key of Object.keys(labels)) {
    if (RESERVED_LABELS.includes(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'is a reserved label', params: { expected: `a label other than ${RESERVED_LABELS.join(', ')}, which are set for you` } })
    }
  }
})

/** Docker logging (`--log-driver`, `--log-opt`); a role's settings merge over the root's. */
export const loggingSchema = section(
  { driver: text('a docker log driver name, e.g. json-file').optional(), options: mapOf(stringish(), 'a map of log options, e.g. max-size: 100m').optional() },
  { expected: 'a map with driver and options' },
)
