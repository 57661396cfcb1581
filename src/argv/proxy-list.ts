/**
 * Parser for `kamal-proxy list` (v0.9.2), which has no JSON form. It prints a table, one row per
 * service with an active target, sorted by service name:
 *
 *   Service  Host  Path  Target  State  TLS
 *   app-web  *     /     cutover-3f…:80  running  no
 *
 * Every cell is wrapped in an ANSI style (`ESC[3;94m` header, `ESC[1;34m` first column,
 * `ESC[m` others, each closed by `ESC[0m`), even when stdout is not a terminal, and padded with
 * spaces plus a two-space gap. No cell is ever empty or has spaces: Host is the hosts joined with
 * `,` or `*` for any host; Path the path prefixes joined with `,` (default `/`); Target the
 * targets' `host:port` joined with `,`; State `running`, `paused` or `stopped`; TLS `yes`/`no`.
 * So stripping the styles and splitting on whitespace is exact.
 */

export interface ProxyRouteState {
  service: string
  /** Empty when the route answers any host (`*`). */
  hosts: string[]
  pathPrefixes: string[]
  /** `host:port` of each target, as given to `--target`. */
  targets: string[]
  state: string
  tls: boolean
}

export class ProxyListError extends Error {
  override name = 'ProxyListError'
}

const ANSI = /\x1b\[[0-9;]*m/g
const HEADER = ['Service', 'Host', 'Path', 'Target', 'State', 'TLS']

const commaList = (cell: string): string[] => cell.split(',').filter((s) => s !== '')

export function parseProxyList(stdout: string): ProxyRouteState[] {
  const rows = stdout
    .split('\n')
    .map((line) => line.replace(ANSI, '').trim())
    .filter((line) => line !== '')
    .map((line) => line.split(/\s+/))
  const [header, ...body] = rows
  if (!header || header.join(' ') !== HEADER.join(' ')) {
    throw new ProxyListError(`kamal-proxy list: expected a header row "${HEADER.join(' ')}", got ${JSON.stringify(stdout.slice(0, 200))}`)
  }
  return body.map((cells, i) => {
    const [service, host, path, target, state, tls] = cells
    if (cells.length !== HEADER.length || !service || !host || !path || !target || !state || !tls) {
      throw new ProxyListError(`kamal-proxy list: row ${i + 1} has ${cells.length} columns, expected ${HEADER.length}: ${JSON.stringify(cells.join(' '))}`)
    }
    return {
      service,
      hosts: host === '*' ? [] : commaList(host),
      pathPrefixes: commaList(path),
      targets: commaList(target),
      state,
      tls: tls === 'yes',
    }
  })
}

/** `host:port` → its parts; a target without a port means port 80 to kamal-proxy. */
export function splitTarget(target: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(target)
  return m ? { host: m[1] ?? '', port: Number(m[2]) } : { host: target, port: 80 }
}
