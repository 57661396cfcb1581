import * as audit from '../../argv/audit.js'
import { auditLogPath } from '../../argv/names.js'
import { onHosts } from '../../engine/app-hosts.js'
import { configApp } from '../../engine/targets.js'
import { type CliCommand, UsageError } from '../command.js'
import { printHostRuns } from '../per-host.js'
import { APP_USAGE, appOptions, withApp } from './app/common.js'

/** `cutover audit`: the last lines of the app's audit log on each host (Kamal's `.kamal/<service>-audit.log`). */
export const auditCommand: CliCommand = {
  name: 'audit',
  summary: "Show the app's audit log on each host (who deployed, rebooted, stopped… and when)",
  usage: `cutover audit [-n LINES] ${APP_USAGE} [--json]`,
  options: { ...appOptions, lines: { type: 'string', short: 'n' } },
  run: ({ values }, io) => {
    const raw = values.lines
    if (raw !== undefined && !(typeof raw === 'string' && /^\d+$/.test(raw))) throw new UsageError(`--lines ${JSON.stringify(raw)}: expected a whole number of lines`)
    return withApp(values, io, 'ssh', async ({ loaded, session, hosts }) => {
      const path = auditLogPath(configApp(loaded.config))
      const runs = await onHosts(session, hosts, loaded.logger, async (remote) => {
        const r = await remote.exec(['sh', '-c', 'test -f "$1" || exit 3; shift; exec "$@"', 'cutover-audit', path, ...audit.tail(path, raw === undefined ? 50 : Number(raw))], { timeoutMs: 30_000 })
        if (r.code === 3) return [] // no log yet: nothing was ever deployed here
        if (r.code !== 0) throw new Error(`reading ${path} failed (exit ${r.code}): ${r.stderr.trim()}`)
        return r.stdout.split('\n').filter((l) => l !== '')
      })
      return printHostRuns(io, runs, { json: values.json === true, text: (lines) => (lines.length ? `${lines.join('\n')}\n` : `no audit log (${path})\n`), data: (lines) => ({ lines }) })
    })
  },
}
