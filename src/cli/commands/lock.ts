import { describeAges, describeLock, isStale, type LockState } from '../../argv/lock.js'
import { lockStatus, releaseLock } from '../../engine/lock.js'
import { configApp, primaryHost } from '../../engine/targets.js'
import { type CliCommand, configOptions, EXIT, UsageError } from '../command.js'
import { hostOptions, loadForCli, openSession } from '../context.js'

/** `cutover lock status|release`: the Kamal-compatible deploy lock on the primary host. */
export const lockCommand: CliCommand = {
  name: 'lock',
  summary: 'Show or release the deploy lock (Kamal-compatible, on the primary host)',
  usage: 'cutover lock status|release [-c FILE] [-d DEST] [--known-hosts FILE] [--ssh-key FILE] [--max-connections N] [--json]',
  options: { ...configOptions, ...hostOptions, json: { type: 'boolean' } },
  positionals: true,
  async run({ values, positionals }, io) {
    const [action, ...extra] = positionals
    if ((action !== 'status' && action !== 'release') || extra.length > 0) throw new UsageError('say `lock status` or `lock release`')
    const loaded = loadForCli(values, io, 'ssh')
    const session = openSession(loaded, values, io)
    const host = primaryHost(loaded.config)
    const app = configApp(loaded.config)
    try {
      if (action === 'status') {
        const report = await lockStatus(session, host, app)
        const staleAfterS = loaded.config.lock.staleAfter
        const { ages, ...state } = report.state.held ? report.state : { ...report.state, ages: undefined }
        const liveness = report.state.held ? { ageS: ages?.lockS ?? null, heartbeatAgeS: ages?.heartbeatS ?? null, stale: isStale(report.state, staleAfterS), staleAfterS } : {}
        if (values.json) io.stdout(`${JSON.stringify({ host, dir: report.dir, ...state, ...liveness }, null, 2)}\n`)
        else io.stdout(report.state.held ? `${host}: ${report.dir} is held\n${report.state.text}\n${livenessLine(report.state, staleAfterS)}\n` : `${host}: ${report.dir} is free\n`)
        return EXIT.ok
      }
      const { released, report } = await releaseLock(session, host, app)
      const said = released ? `released the deploy lock ${report.dir} on ${host} (${describeLock(report.state)})` : `the deploy lock ${report.dir} on ${host} was not held`
      if (values.json) io.stdout(`${JSON.stringify({ host, dir: report.dir, released }, null, 2)}\n`)
      else io.stdout(`${said}\n`)
      return EXIT.ok
    } finally {
      await session.close()
    }
  },
}

/** `Held for 3m 2s, last heartbeat 2m 40s ago: stale (…)`: age, heartbeat age, and the verdict. */
export function livenessLine(state: LockState, staleAfterS: number): string {
  if (!state.held || !state.ages) return 'Age unknown (the host did not say)'
  const ages = describeAges(state.ages).replace(/^, held/, 'Held')
  if (isStale(state, staleAfterS)) return `${ages}: STALE (no heartbeat for more than ${staleAfterS}s, x-cutover.lock.stale_after); deploy with --break-stale-lock to break it`
  if (state.ages.heartbeatS === undefined) return `${ages}; never judged stale`
  return `${ages}: live (stale after ${staleAfterS}s without a heartbeat)`
}
