import * as audit from '../../argv/audit.js'
import { auditLogPath } from '../../argv/names.js'
import { observeApp, onHosts } from '../../engine/app-hosts.js'
import { configApp } from '../../engine/targets.js'
import { prunePlan } from '../../plan/prune.js'
import type { CliCommand } from '../command.js'
import { printHostRuns } from '../per-host.js'
import { APP_USAGE, appOptions, mutating, withApp } from './app/common.js'

/** `cutover prune`: the tidy-up each deploy ends with (plan/prune.ts), on its own, under the deploy lock. */
export const pruneCommand: CliCommand = {
  name: 'prune',
  summary: 'Remove old stopped containers beyond retain_containers and images no container uses, as deploy does',
  usage: `cutover prune ${APP_USAGE} [--lock-wait SECONDS] [--json]`,
  options: appOptions,
  run: ({ values }, io) =>
    withApp(values, io, 'ssh', (ctx) =>
      mutating(ctx, values, io, 'Pruning', async () => {
        const { config } = ctx.loaded
        const runs = await onHosts(ctx.session, ctx.hosts, ctx.loaded.logger, async (remote, h, log) => {
          const done: string[] = []
          for (const step of prunePlan(await observeApp(remote, config), configApp(config), h.roles, config.retainContainers)) {
            const r = await remote.exec(step.argv, { timeoutMs: 120_000 })
            // Best effort, as in a deploy: an image another process just started using stays.
            if (r.code === 0) done.push(step.what)
            else log.warn(`${step.what} failed, left alone: ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-2).join(' ')}`)
          }
          const at = new Date().toISOString()
          await remote.exec(audit.append(auditLogPath(configApp(config)), audit.auditLine({ at, performer: 'cutover prune', destination: config.destination ?? null, role: null }, 'Pruned old containers and images')), { timeoutMs: 30_000 })
          return done
        })
        return printHostRuns(io, runs, { json: values.json === true, text: (done) => done.map((d) => `${d}\n`).join(''), data: (done) => ({ done }) })
      }),
    ),
}
