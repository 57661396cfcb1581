import * as app from '../../../argv/app.js'
import { mustRun, observeApp, onHosts, roleCurrent } from '../../../engine/app-hosts.js'
import { configApp } from '../../../engine/targets.js'
import type { CliCommand } from '../../command.js'
import { printHostRuns } from '../../per-host.js'
import { APP_USAGE, appOptions, withApp } from './common.js'

/** Read-only app commands: what runs where. Nothing here takes the lock or changes a host. */

const rows = (stdout: string): unknown[] => stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown)

export const containersCommand: CliCommand = {
  name: 'containers',
  summary: "Show the app's containers on each host, any state (docker ps --all)",
  usage: `cutover app containers ${APP_USAGE} [--json]`,
  options: appOptions,
  run: ({ values }, io) =>
    withApp(values, io, 'ssh', async ({ loaded, session, hosts }) => {
      const ref = configApp(loaded.config)
      // `--roles` naming one role narrows by its label; otherwise the whole service is listed.
      const named = typeof values.roles === 'string' ? values.roles.split(',').map((r) => r.trim()).filter(Boolean) : []
      const role = named.length === 1 ? named[0] : null
      const json = values.json === true
      const runs = await onHosts(session, hosts, loaded.logger, (remote) => mustRun(remote, app.containers({ ...ref, role }, json ? app.JSON_ROWS : undefined), 'docker ps'))
      return printHostRuns(io, runs, { json, text: (out) => out, data: (out) => ({ containers: rows(out) }) })
    }),
}

export const imagesCommand: CliCommand = {
  name: 'images',
  summary: "Show the app's images on each host",
  usage: `cutover app images ${APP_USAGE} [--json]`,
  options: appOptions,
  run: ({ values }, io) =>
    withApp(values, io, 'ssh', async ({ loaded, session, hosts }) => {
      const json = values.json === true
      const runs = await onHosts(session, hosts, loaded.logger, (remote) => mustRun(remote, app.images(loaded.config.repository, json ? app.JSON_ROWS : undefined), 'docker image ls'))
      return printHostRuns(io, runs, { json, text: (out) => out, data: (out) => ({ images: rows(out) }) })
    }),
}

export const detailsCommand: CliCommand = {
  name: 'details',
  summary: "Show the app's running containers on each host, per role",
  usage: `cutover app details ${APP_USAGE} [--json]`,
  options: appOptions,
  run: ({ values }, io) =>
    withApp(values, io, 'ssh', async ({ loaded, session, hosts }) => {
      const json = values.json === true
      const ref = configApp(loaded.config)
      const runs = await onHosts(session, hosts, loaded.logger, async (remote, h) => {
        const out: Record<string, string> = {}
        for (const role of h.roles) out[role] = await mustRun(remote, app.details({ ...ref, role }, json ? app.JSON_ROWS : undefined), 'docker ps')
        return out
      })
      return printHostRuns(io, runs, {
        json,
        text: (byRole) => Object.entries(byRole).map(([role, out]) => `${role}:\n${out}`).join(''),
        data: (byRole) => ({ roles: Object.fromEntries(Object.entries(byRole).map(([role, out]) => [role, rows(out)])) }),
      })
    }),
}

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'Show the version each role runs on each host (its current container)',
  usage: `cutover app version ${APP_USAGE} [--json]`,
  options: appOptions,
  run: ({ values }, io) =>
    withApp(values, io, 'ssh', async ({ loaded, session, hosts }) => {
      const { config } = loaded
      const runs = await onHosts(session, hosts, loaded.logger, async (remote, h) => {
        const seen = await observeApp(remote, config)
        return Object.fromEntries(h.roles.map((role) => {
          const c = roleCurrent(seen, config, role)
          return [role, c === null ? null : (c.version ?? `(${c.name}: no cutover.version label; not deployed by cutover)`)]
        }))
      })
      return printHostRuns(io, runs, {
        json: values.json === true,
        text: (byRole) => Object.entries(byRole).map(([role, v]) => `${role}: ${v ?? '(not running)'}\n`).join(''),
        data: (byRole) => ({ roles: byRole }),
      })
    }),
}
