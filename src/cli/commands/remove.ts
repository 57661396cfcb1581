import { removeService } from '../../engine/remove.js'
import { type CliCommand, configOptions, EXIT, UsageError } from '../command.js'
import { performer } from '../../engine/request.js'
import { hostOptions, loadForCli, openSession, runReference } from '../context.js'
import { reportResult } from '../result-table.js'
import { jsonOnSignal } from '../json-result.js'
import { releaseOnSignal } from '../signals.js'

/** `cutover remove`: take the app off every host (routes, containers, its images, env files), as `kamal remove`. */
export const removeCommand: CliCommand = {
  name: 'remove',
  summary: "Remove the app from every host: its proxy routes, containers, images and env files",
  usage: 'cutover remove --confirm [-c FILE] [-d DEST] [--known-hosts FILE] [--ssh-key FILE] [--max-connections N] [--break-stale-lock] [--json]',
  jsonResult: true,
  options: { ...configOptions, ...hostOptions, 'break-stale-lock': { type: 'boolean' }, json: { type: 'boolean' }, confirm: { type: 'boolean' } },
  async run({ values }, io) {
    if (!values.confirm) throw new UsageError('this stops and deletes the app on every host: pass --confirm to go ahead')
    const loaded = loadForCli(values, io, 'ssh')
    const session = openSession(loaded, values, io)
    const signals = releaseOnSignal(loaded.logger, jsonOnSignal(values, io, undefined))
    try {
      const result = await removeService(session, { performer: performer(io.env), run: runReference(io.env), breakStale: values['break-stale-lock'] === true }, loaded.logger, { onLock: signals.onLock })
      reportResult(result, Boolean(values.json), io, 'remove')
      return result.hosts.some((h) => h.action === 'failed') ? EXIT.failure : EXIT.ok
    } finally {
      signals.dispose()
      await session.close()
    }
  },
}
