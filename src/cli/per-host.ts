import type { HostRun } from '../engine/app-hosts.js'
import { type CliIO, EXIT } from './command.js'
import { printJson } from './json-result.js'

/** Every line prefixed with its host, as `[vm1] line`, so the output of many hosts can be told apart (and grepped). */
export function prefixLines(host: string, text: string): string {
  const body = text.replace(/\r?\n$/, '')
  if (body === '') return ''
  return `${body.split(/\r?\n/).map((l) => `[${host}] ${l}`).join('\n')}\n`
}

export interface PrintOptions<T> {
  json: boolean
  /** A host's result as text (stdout); '' prints nothing. */
  text: (value: T) => string
  /** A host's result as data under `--json` (merged into its `{host}` object). */
  data: (value: T) => Record<string, unknown>
}

/**
 * Prints each host's result (text prefixed per host on stdout, or one JSON object), and each
 * failure (stderr, or in the JSON). The exit code: failure when any host failed.
 */
export function printHostRuns<T>(io: CliIO, runs: readonly HostRun<T>[], o: PrintOptions<T>): number {
  const failed = runs.some((r) => r.error !== undefined)
  if (o.json) {
    printJson(io, { ok: !failed, hosts: runs.map((r) => (r.error !== undefined ? { host: r.host, error: r.error } : { host: r.host, ...o.data(r.value as T) })) })
  } else {
    for (const r of runs) {
      if (r.error !== undefined) io.stderr(`[${r.host}] error: ${r.error}\n`)
      else io.stdout(prefixLines(r.host, o.text(r.value as T)))
    }
  }
  return failed ? EXIT.failure : EXIT.ok
}
