import type { DeployResult } from '../engine/result.js'
import type { CliIO } from './command.js'
import { printJson, resultJson } from './json-result.js'

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
  // What changed, per host and role (plan/diff.ts), under the table.
  const changes = result.hosts.flatMap((h) => [
    ...(h.changes?.length ? [`${h.host} ${h.role}:`, ...h.changes.map((c) => `  ${c}`)] : []),
    ...(h.finished?.length ? [`${h.host} ${h.role}: finished what an earlier run left: ${h.finished.join('; ')}`] : []),
  ])
  return `${table}\n${changes.length ? `${changes.join('\n')}\n` : ''}${result.image}: ${result.changed ? 'changed' : 'unchanged, nothing to do'}${tally(result)}\n`
}

/** `; 10 hosts: 7 replaced, 3 unchanged`: the table's rows counted, for a fleet too long to read at a glance. */
function tally(result: DeployResult): string {
  const hosts = new Set(result.hosts.map((h) => h.host)).size
  if (hosts < 2) return ''
  const counts = new Map<string, number>()
  for (const h of result.hosts) counts.set(h.action, (counts.get(h.action) ?? 0) + 1)
  const roles = result.hosts.length === hosts ? '' : ` (${result.hosts.length} host roles)`
  return `; ${hosts} hosts${roles}: ${[...counts].map(([action, n]) => `${n} ${action}`).join(', ')}`
}

/** The table (or JSON on stdout), then one line per failed host on stderr. */
export function reportResult(result: DeployResult, json: boolean, io: CliIO, command: string): void {
  if (json) printJson(io, resultJson(result))
  else io.stdout(renderResultTable(result))
  const failed = result.hosts.filter((h) => h.action === 'failed')
  if (failed.length > 0) {
    // One line per host: the full reason (log tail included) is in the host's log lines above.
    const first = (e: string | undefined): string => (e ?? 'failed').split('\n')[0] ?? 'failed'
    io.stderr(`cutover ${command}: ${failed.length} of ${result.hosts.length} host roles failed:\n${failed.map((h) => `  ${h.host} ${h.role}: ${first(h.error)}`).join('\n')}\n`)
  }
}
