import { loadConfigOrThrow } from '../../config/index.js'
import { scanKnownHosts } from '../../remote/index.js'
import { type Command, configArgs, configOptions, EXIT } from '../command.js'

/**
 * `cutover known-hosts [HOST…]`: the hosts' keys in known_hosts format, to review and pin (e.g. as
 * the Action's `known-hosts` input). Nothing is trusted here; it only prints what servers present.
 * Without hosts, it scans every host in the config.
 */
export const knownHostsCommand: Command = {
  name: 'known-hosts',
  summary: "Print hosts' SSH keys in known_hosts format (to pin them; review before trusting)",
  usage: 'cutover known-hosts [HOST[:PORT]…] [-c FILE] [-d DEST]',
  options: { ...configOptions },
  positionals: true,
  async run({ values, positionals }, io) {
    let hosts = positionals
    if (hosts.length === 0) {
      const { config } = loadConfigOrThrow({ ...configArgs(values), cwd: io.cwd, env: io.env })
      hosts = [...new Set(config.roles.flatMap((r) => r.hosts.map((h) => (h.port ? h.host : config.ssh.port === 22 ? h.host : `${h.hostname}:${config.ssh.port}`))))]
    }
    const lines = await scanKnownHosts(hosts)
    io.stdout(lines.map((l) => `${l}\n`).join(''))
    return EXIT.ok
  },
}
