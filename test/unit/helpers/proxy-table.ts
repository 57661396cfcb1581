/**
 * Prints rows the way kamal-proxy v0.9.2's `list` does (internal/cmd/formatting.go): every cell
 * styled with an ANSI escape and closed with ESC[0m, padded to the column width, then two spaces.
 * Header cells italic bright blue (3;94), first column of other rows bold blue (1;34), the rest
 * with an empty style (ESC[m).
 */
export function kamalProxyTable(rows: string[][]): string {
  const all = [['Service', 'Host', 'Path', 'Target', 'State', 'TLS'], ...rows]
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all
    .map((row, r) =>
      row
        .map((cell, i) => {
          const style = r === 0 ? '3;94' : i === 0 ? '1;34' : ''
          return `\x1b[${style}m${cell}\x1b[0m${' '.repeat((widths[i] ?? 0) - cell.length)}  `
        })
        .join('') + '\n',
    )
    .join('')
}
