import type { z } from 'zod'
import { type ConfigError, kindOf } from './errors.js'
import type { UnknownKeyParams } from './schema/section.js'
import { closest } from './suggest.js'
import { joinPath, locate, type SourceMap } from './yaml.js'

/** Turns zod's issues into config errors with file, key path, line, what is wrong and the fix. */
export function issuesToErrors(issues: readonly z.core.$ZodIssue[], sources: SourceMap, baseFile: string): ConfigError[] {
  const seen = new Set<string>()
  const out: ConfigError[] = []
  for (const issue of issues) {
    const keyPath = joinPath(issue.path as (string | number)[])
    const { message, expected } = describe(issue)
    const id = `${keyPath}\0${message}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push({ ...locate(sources, keyPath, baseFile), keyPath, message, expected })
  }
  return out
}

/** Kamal 1 keys people bring along, and where Kamal 2 moved them. */
const MOVED = new Map([
  ['healthcheck', 'proxy/healthcheck (Kamal 2 health-checks through kamal-proxy)'],
  ['traefik', 'proxy (Kamal 2 replaced Traefik with kamal-proxy)'],
  ['builder/multiarch', 'builder/arch'],
])

function describe(issue: z.core.$ZodIssue): { message: string; expected: string } {
  const params = (issue as { params?: Record<string, unknown> }).params
  if (params?.kind === 'unknown-key') {
    const known = (params as unknown as UnknownKeyParams).known
    const key = String(issue.path[issue.path.length - 1] ?? '')
    const moved = MOVED.get(joinPath(issue.path as (string | number)[]))
    if (moved) return { message: 'is a Kamal 1 key', expected: moved }
    const guess = closest(key, known)
    return { message: guess ? `is not a known key (did you mean \`${guess}\`?)` : 'is not a known key', expected: `one of: ${known.join(', ')}` }
  }
  if (typeof params?.expected === 'string') return { message: issue.message, expected: params.expected }
  const input = (issue as { input?: unknown }).input
  switch (issue.code) {
    case 'invalid_type':
      // Our schemas set their expectation as the message; zod's own default starts with "Invalid".
      return { message: input === undefined ? 'is missing' : `is ${kindOf(input)}`, expected: issue.message.startsWith('Invalid') ? `a ${issue.expected}` : issue.message }
    case 'invalid_value':
      return { message: `is ${kindOf(input)}`, expected: `one of: ${issue.values.map(String).join(', ')}` }
    default:
      return { message: issue.message, expected: '' }
  }
}
