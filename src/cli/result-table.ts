import type { DeployResult } from '../engine/result.js'

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`

/** The per-host table a person reads after a deploy. */
export function renderResultTable(result: DeployResult): string {
  const rows = [['HOST', 'ROLE', 'ACTION', 'CONTAINER', 'TIME'], ...result.hosts.map((h) => [h.host, h.role, h.action, h.container ?? '-', seconds(h.durationMs)])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  const table = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
  return `${table}\n${result.image}: ${result.changed ? 'deployed' : 'unchanged, nothing to do'}\n`
}
