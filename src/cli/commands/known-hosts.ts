import { loadConfigOrThrow } from '../../config/index.js'
import { configHosts } from '../../engine/targets.js'
import { scanKnownHosts, scanTarget } from '../../remote/index.js'
import { type CliCommand, configArgs, configOptions, EXIT } from '../command.js'

/**
 * `cutover known-hosts [HOST…]`: the hosts' keys in known_hosts format, to review and pin (e.g. as
 * the Action's `known-hosts` input). Nothing is trusted here; it only prints what servers present.
 * Without hosts, it scans every host in the config. Every host that answers gets its lines on
 * stdout; each one that does not is named on stderr, and the exit code is then 1.
 */
export const knownHostsCommand: CliCommand = {
  name: 'known-hosts',
  summary: "Print hosts' SSH keys in known_hosts format (to pin them; review before trusting)",
  usage: 'cutover known-hosts [HOST[:PORT]…] [-c FILE] [-d DEST]',
  options: { ...configOptions },
  positionals: true,
  async run({ values, positionals }, io) {
    let hosts = positionals
    if (hosts.length === 0) {
      const { config } = loadConfigOrThrow({ ...configArgs(values), cwd: io.cwd, env: io.env })
      hosts = configHosts(config).map((h) => scanTarget(h.hostname, h.port ?? config.ssh.port))
    }
    const scans = await scanKnownHosts(hosts)
    for (const scan of scans) if ('lines' in scan) io.stdout(scan.lines.map((l) => `${l}\n`).join(''))
    const failed = scans.flatMap((s) => ('error' in s ? [s.error] : []))
    for (const error of failed) io.stderr(`cutover known-hosts: ${error.message}\n`)
    return failed.length > 0 ? EXIT.failure : EXIT.ok
  },
}
