import { retainedVersions } from '../../engine/versions.js'
import { type CliCommand, configOptions, EXIT } from '../command.js'
import { hostOptions, loadForCli, openSession } from '../context.js'

/** `cutover versions`: what each host keeps for rollback, per role, newest first. */
export const versionsCommand: CliCommand = {
  name: 'versions',
  summary: 'List the versions retained on each host (what a rollback can reuse)',
  usage: 'cutover versions [-c FILE] [-d DEST] [--known-hosts FILE] [--ssh-key FILE] [--max-connections N] [--json]',
  options: { ...configOptions, ...hostOptions, json: { type: 'boolean' } },
  async run({ values }, io) {
    const loaded = loadForCli(values, io, 'ssh')
    const session = openSession(loaded, values, io)
    try {
      const hosts = await retainedVersions(loaded.config, session)
      if (values.json) {
        io.stdout(`${JSON.stringify({ hosts }, null, 2)}\n`)
      } else {
        for (const h of hosts) {
          if (h.error) {
            io.stdout(`${h.host}: cannot read: ${h.error}\n`)
            continue
          }
          for (const c of h.containers) io.stdout(`${h.host}  ${h.role.padEnd(8)}  ${(c.version ?? '(not deployed by cutover)').padEnd(20)}  ${c.state.padEnd(8)}  ${c.name}${c.current ? '  (current)' : ''}\n`)
          if (h.containers.length === 0) io.stdout(`${h.host}  ${h.role.padEnd(8)}  (nothing retained)\n`)
        }
      }
      return hosts.some((h) => h.error) ? EXIT.failure : EXIT.ok
    } finally {
      await session.close()
    }
  },
}
