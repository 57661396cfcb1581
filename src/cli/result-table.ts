import type { DeployResult } from '../engine/result.js'
import type { CliIO } from './command.js'

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`

/** The per-host table a person reads after a run. */
export function renderResultTable(result: DeployResult): string {
  // The DOWNTIME column only when a recreate role stopped something: blue-green has none to show.
  const downtime = result.hosts.some((h) => h.downtimeMs !== undefined)
  const rows = [
    ['HOST', 'ROLE', 'ACTION', 'CONTAINER', 'TIME', ...(downtime ? ['DOWNTIME'] : [])],
    ...result.hosts.map((h) => [h.host, h.role, h.action, h.container ?? '-', seconds(h.durationMs), ...(downtime ? [h.downtimeMs !== undefined ? seconds(h.downtimeMs) : '-'] : [])]),
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  const table = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
  return `${table}\n${result.image}: ${result.changed ? 'changed' : 'unchanged, nothing to do'}\n`
}

/** The table (or JSON on stdout), then one line per failed host on stderr. */
export function reportResult(result: DeployResult, json: boolean, io: CliIO, command: string): void {
  io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : renderResultTable(result))
  const failed = result.hosts.filter((h) => h.action === 'failed')
  if (failed.length > 0) {
    // One line per host: the full reason (log tail included) is in the host's log lines above.
    const first = (e: string | undefined): string => (e ?? 'failed').split('\n')[0] ?? 'failed'
    io.stderr(`cutover ${command}: ${failed.length} of ${result.hosts.length} host roles failed:\n${failed.map((h) => `  ${h.host} ${h.role}: ${first(h.error)}`).join('\n')}\n`)
  }
}
