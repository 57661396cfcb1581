import * as app from '../../../argv/app.js'
import { observeApp, onHosts, primaryAppHost, roleLatest } from '../../../engine/app-hosts.js'
import type { Session } from '../../../engine/session.js'
import { type CliCommand, type CliIO, EXIT, type OptionValues, UsageError } from '../../command.js'
import { printHostRuns } from '../../per-host.js'
import { scopeFromFlags } from '../../deploy-flags.js'
import { APP_USAGE, appOptions, withApp } from './common.js'

export const logOptions = {
  since: { type: 'string', short: 's' },
  lines: { type: 'string', short: 'n' },
  grep: { type: 'string', short: 'g' },
  follow: { type: 'boolean', short: 'f' },
} as const satisfies CliCommand['options']

/** The log flags as app.logs takes them; `-n` must be a whole number. */
export function logFlags(values: OptionValues): app.LogOptions {
  const raw = values.lines
  if (raw !== undefined && !(typeof raw === 'string' && /^\d+$/.test(raw))) throw new UsageError(`--lines ${JSON.stringify(raw)}: expected a whole number of lines, e.g. -n 50`)
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined)
  return { since: str('since'), lines: raw === undefined ? undefined : Number(raw), grep: str('grep'), follow: values.follow === true }
}

/**
 * `--follow`: one host (the primary, or the first of `--hosts`), streamed until Ctrl-C. Each line
 * is still prefixed with the host and redacted (the CLI's stdout is).
 */
export async function follow(session: Session, host: string, argv: readonly string[], io: CliIO): Promise<number> {
  const remote = await session.host(host)
  if (!remote.stream) throw new Error(`${host}: this connection cannot stream output`)
  const stop = new AbortController()
  const onSignal = (): void => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let partial = ''
  const emit = (chunk: Buffer): void => {
    const text = partial + chunk.toString('utf8')
    const lines = text.split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) io.stdout(`[${host}] ${l}\n`)
  }
  try {
    const code = await remote.stream(argv, { onStdout: emit, onStderr: emit, signal: stop.signal })
    if (partial) io.stdout(`[${host}] ${partial}\n`)
    return stop.signal.aborted ? EXIT.ok : code === 0 ? EXIT.ok : EXIT.failure
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "Show the app's log lines on each host (its current container per role); --follow one host",
  usage: `cutover app logs [-s SINCE] [-n LINES] [-g PATTERN] [-f] ${APP_USAGE} [--json]`,
  options: { ...appOptions, ...logOptions },
  run: ({ values }, io) =>
    // Every secret is loaded, so that one an app prints in its log is redacted on the way out.
    withApp(values, io, 'all', async ({ loaded, session, hosts }) => {
      const { config } = loaded
      const flags = logFlags(values)
      if (flags.follow) {
        const h = primaryAppHost(config, scopeFromFlags(values, config))
        const role = h.roles[0]!
        const c = roleLatest(await observeApp(await session.host(h.host), config), config, role)
        if (!c) throw new Error(`${h.host}: no ${role} container of ${config.service} to follow`)
        loaded.logger.info(`following ${c.name} on ${h.host} (Ctrl-C to stop)`)
        return follow(session, h.host, app.logs(c.id, flags), io)
      }
      const runs = await onHosts(session, hosts, loaded.logger, async (remote, h) => {
        const seen = await observeApp(remote, config)
        const out: { role: string; container: string | null; lines: string }[] = []
        for (const role of h.roles) {
          const c = roleLatest(seen, config, role)
          if (!c) {
            out.push({ role, container: null, lines: '' })
            continue
          }
          const r = await remote.exec(app.logs(c.id, flags), { timeoutMs: 120_000 })
          // grep finds nothing: exit 1 and no output, which is an answer, not a failure.
          if (r.code !== 0 && !(flags.grep !== undefined && r.code === 1 && r.stdout === '')) throw new Error(`docker logs ${c.name} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`)
          out.push({ role, container: c.name, lines: r.stdout })
        }
        return out
      })
      return printHostRuns(io, runs, {
        json: values.json === true,
        text: (out) => out.map((o) => (o.container === null ? `${o.role}: no container\n` : o.lines || `${o.role}: nothing found\n`)).join(''),
        data: (out) => ({ roles: out.map((o) => ({ role: o.role, container: o.container, lines: o.lines.split('\n').filter((l) => l !== '') })) }),
      })
    }),
}
