import * as app from '../../argv/app.js'
import * as proxy from '../../argv/proxy.js'
import { mustRun, onHosts } from '../../engine/app-hosts.js'
import { type CliCommand, EXIT } from '../command.js'
import { printHostRuns } from '../per-host.js'
import { APP_USAGE, appOptions, withApp } from './app/common.js'
import { follow, logFlags, logOptions } from './app/logs.js'
import { primaryAppHost } from '../../engine/app-hosts.js'
import { scopeFromFlags } from '../deploy-flags.js'

/** `cutover proxy details|logs`: read-only looks at kamal-proxy on each host (it is booted and upgraded by deploy). */

const detailsCommand: CliCommand = {
  name: 'details',
  summary: "Show the kamal-proxy container and its routes on each host",
  usage: `cutover proxy details ${APP_USAGE}`,
  options: appOptions,
  run: ({ values }, io) =>
    withApp(values, io, 'ssh', async ({ loaded, session, hosts }) => {
      const runs = await onHosts(session, hosts, loaded.logger, async (remote) => {
        const ps = await mustRun(remote, proxy.details(), 'docker ps')
        const r = await remote.exec(proxy.list(), { timeoutMs: 30_000 })
        // kamal-proxy styles its table even off a terminal; the styles are taken out.
        const routes = r.code === 0 ? r.stdout.replace(/\u001b\[[0-9;]*m/g, '') : `(no routes: ${r.stderr.trim() || r.stdout.trim()})\n`
        return { ps, routes }
      })
      return printHostRuns(io, runs, { json: values.json === true, text: (v) => `${v.ps}${v.routes}`, data: (v) => v })
    }),
}

const logsCommand: CliCommand = {
  name: 'logs',
  summary: "Show kamal-proxy's log lines on each host; --follow one host",
  usage: `cutover proxy logs [-s SINCE] [-n LINES] [-g PATTERN] [-f] ${APP_USAGE}`,
  options: { ...appOptions, ...logOptions },
  run: ({ values }, io) =>
    withApp(values, io, 'all', async ({ loaded, session, hosts }) => {
      const flags = logFlags(values)
      if (flags.follow) return follow(session, primaryAppHost(loaded.config, scopeFromFlags(values, loaded.config)).host, app.logs(proxy.PROXY, flags), io)
      const runs = await onHosts(session, hosts, loaded.logger, async (remote) => {
        const r = await remote.exec(app.logs(proxy.PROXY, flags), { timeoutMs: 120_000 })
        if (r.code !== 0 && !(flags.grep !== undefined && r.code === 1 && r.stdout === '')) throw new Error(`docker logs kamal-proxy failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`)
        return r.stdout
      })
      return printHostRuns(io, runs, { json: values.json === true, text: (out) => out || 'nothing found\n', data: (out) => ({ lines: out.split('\n').filter((l) => l !== '') }) })
    }),
}

export const proxyCommand: CliCommand = {
  name: 'proxy',
  summary: 'kamal-proxy on each host: details, logs (read-only)',
  usage: 'cutover proxy details|logs [options]',
  options: {},
  subcommands: [detailsCommand, logsCommand],
  run: () => EXIT.usage,
}
