import { pauseAtFromEnv } from '../../engine/pause.js'
import { deployService } from '../../engine/service.js'
import { hooksFor } from '../../hooks/index.js'
import { versionProblem } from '../../engine/targets.js'
import { type CliCommand, configOptions, EXIT, UsageError } from '../command.js'
import { hostOptions, loadForCli, openSession, performer, runReference } from '../context.js'
import { reportResult } from '../result-table.js'
import { releaseOnSignal } from '../signals.js'

/**
 * `cutover rollback VERSION`: redeploy a version that is in the registry, without building, on the
 * same zero-downtime path; a retained container of that version is started again, not recreated.
 */
export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'Redeploy VERSION without building (reuses retained containers); see `cutover versions`',
  usage: 'cutover rollback VERSION [-c FILE] [-d DEST] [--known-hosts FILE] [--ssh-key FILE] [-m MESSAGE] [--skip-hooks] [--json]',
  options: { ...configOptions, ...hostOptions, json: { type: 'boolean' }, message: { type: 'string', short: 'm' }, 'skip-hooks': { type: 'boolean', short: 'H' } },
  positionals: true,
  async run({ values, positionals }, io) {
    const [version, ...extra] = positionals
    if (!version || extra.length > 0) throw new UsageError('give exactly one VERSION to roll back to (`cutover versions` lists what the hosts retain)')
    const bad = versionProblem(version)
    if (bad) throw new UsageError(`VERSION ${bad}`)
    const loaded = loadForCli(values, io)
    const session = openSession(loaded, values, io)
    const signals = releaseOnSignal(loaded.logger)
    try {
      const who = performer(io.env)
      // Kamal's rollback fires pre-connect, pre-deploy, pre/post-app-boot and post-deploy, as a deploy does.
      const hooks = hooksFor({ session, appDir: io.cwd, command: 'rollback', performer: who, skip: Boolean(values['skip-hooks']), version, logger: loaded.logger })
      const result = await deployService(
        {
          session,
          version,
          hooks,
          performer: who,
          run: runReference(io.env),
          message: typeof values.message === 'string' ? values.message : `Rollback to ${version}`,
          pauseAt: pauseAtFromEnv(io.env as NodeJS.ProcessEnv),
          onLock: signals.onLock,
        },
        loaded.logger,
      )
      reportResult(result, Boolean(values.json), io, 'rollback')
      return result.hosts.some((h) => h.action === 'failed') ? EXIT.failure : EXIT.ok
    } finally {
      signals.dispose()
      await session.close()
    }
  },
}
