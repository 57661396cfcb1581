import { loginLocally, loginOnHost, logoutLocally, logoutOnHost } from '../../registry/index.js'
import { configHosts } from '../../engine/targets.js'
import { fanOut, allOrThrow } from '../../remote/index.js'
import { type CliCommand, configOptions, EXIT, UsageError } from '../command.js'
import { hostOptions, loadForCli, openSession } from '../context.js'

/**
 * `cutover registry login|logout`: here (where images are pushed from) and on every host (where
 * they are pulled), as `kamal registry` does. The password always goes to docker on stdin.
 * Deploys don't need this: they log in on their own, and hosts pull through a throwaway config.
 */
export const registryCommand: CliCommand = {
  name: 'registry',
  summary: 'Log in to (or out of) the registry here and on every host',
  usage: 'cutover registry login|logout [--skip-local] [--skip-remote] [-c FILE] [-d DEST] [--known-hosts FILE] [--ssh-key FILE] [--max-connections N]',
  options: { ...configOptions, ...hostOptions, 'skip-local': { type: 'boolean' }, 'skip-remote': { type: 'boolean' } },
  positionals: true,
  async run({ values, positionals }, io) {
    const [action, ...extra] = positionals
    if ((action !== 'login' && action !== 'logout') || extra.length > 0) throw new UsageError('say `registry login` or `registry logout`')
    const loaded = loadForCli(values, io, 'production')
    const session = openSession(loaded, values, io)
    const registry = session.registryInput()
    const where = registry.server ?? 'Docker Hub'
    try {
      if (!values['skip-local']) {
        await (action === 'login' ? loginLocally(registry) : logoutLocally(registry))
        loaded.logger.info(`${action === 'login' ? 'logged in to' : 'logged out of'} ${where} here`)
      }
      if (!values['skip-remote']) {
        const hosts = configHosts(loaded.config).map((h) => ({ name: h.host }))
        const outcomes = await fanOut(hosts, loaded.logger, async (h, log) => {
          const remote = await session.host(h.name)
          await (action === 'login' ? loginOnHost(remote, registry) : logoutOnHost(remote, registry))
          log.info(`${action === 'login' ? 'logged in to' : 'logged out of'} ${where}`)
        })
        allOrThrow(outcomes)
      }
      return EXIT.ok
    } finally {
      await session.close()
    }
  },
}
