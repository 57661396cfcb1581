import { defaultCacheDir } from '../../image/index.js'
import { pauseAtFromEnv } from '../../engine/pause.js'
import { ship } from '../../engine/ship.js'
import { versionProblem } from '../../engine/targets.js'
import { hooksFor } from '../../hooks/index.js'
import { type CliCommand, configOptions, EXIT, UsageError } from '../command.js'
import { hostOptions, loadForCli, openSession } from '../context.js'
import { reportResult } from '../result-table.js'
import { jsonOnSignal } from '../json-result.js'
import { releaseOnSignal } from '../signals.js'
import { DEPLOY_LIKE_USAGE, deployLikeOptions } from '../deploy-flags.js'
import { namedVersionRequest } from '../named-version-request.js'

/**
 * `cutover rollback VERSION`: redeploy a version that is in the registry, without building, on the
 * same zero-downtime path; a retained container of that version is started again, not recreated.
 */
export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'Redeploy VERSION without building (reuses retained containers); see `cutover versions`',
  usage: 'cutover rollback VERSION [-c FILE] [-d DEST] [--known-hosts FILE] [--ssh-key FILE] [--max-connections N] [--break-stale-lock] [-m MESSAGE] [--skip-hooks] [--json] [--hosts H,…] ' + DEPLOY_LIKE_USAGE,
  jsonResult: true,
  options: { ...configOptions, ...hostOptions, 'break-stale-lock': { type: 'boolean' }, json: { type: 'boolean' }, message: { type: 'string', short: 'm' }, 'skip-hooks': { type: 'boolean', short: 'H' }, hosts: { type: 'string' }, ...deployLikeOptions },
  positionals: true,
  async run({ values, positionals }, io) {
    const [version, ...extra] = positionals
    if (!version || extra.length > 0) throw new UsageError('give exactly one VERSION to roll back to (`cutover versions` lists what the hosts retain)')
    const bad = versionProblem(version)
    if (bad) throw new UsageError(`VERSION ${bad}`)
    const loaded = loadForCli(values, io, 'production')
    const session = openSession(loaded, values, io)
    const pauseAt = pauseAtFromEnv(io.env as NodeJS.ProcessEnv)
    const signals = releaseOnSignal(loaded.logger, jsonOnSignal(values, io, version))
    // The same request and path as a deploy: a named version and no build, so ship goes straight to the hosts.
    // Kamal's rollback fires pre-connect, pre-deploy, pre/post-app-boot and post-deploy as a deploy does, with KAMAL_COMMAND=rollback.
    const request = namedVersionRequest(values, io, loaded.config, { version, command: 'rollback', message: `Rollback to ${version}` })
    try {
      const { result } = await ship(session, request, { builder: { cacheDir: defaultCacheDir(io.env) }, onLock: signals.onLock, pauseAt, kamalHooks: hooksFor(session, request, loaded.logger), phase: () => loaded.logger })
      reportResult(result, Boolean(values.json), io, 'rollback')
      return result.hosts.some((h) => h.action === 'failed') ? EXIT.failure : EXIT.ok
    } finally {
      signals.dispose()
      await session.close()
    }
  },
}
