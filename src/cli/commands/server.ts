import { resolve } from 'node:path'
import { DEFAULTS } from '../../config/index.js'
import { bootstrapServers } from '../../engine/bootstrap.js'
import { performer } from '../../engine/request.js'
import { configApp, configHosts, primaryHost } from '../../engine/targets.js'
import { deployHooks, HookRunner } from '../../hooks/index.js'
import { type CliCommand, configOptions, EXIT, UsageError } from '../command.js'
import { hostOptions, loadForCli, openSession, runReference } from '../context.js'

/** `cutover server bootstrap`: Docker on every app and accessory host that lacks it (Kamal's `server bootstrap`). */
export const serverCommand: CliCommand = {
  name: 'server',
  summary: 'Install Docker on hosts that lack it (x-cutover.bootstrap.install_url, default get.docker.com); hosts with Docker are untouched',
  usage: 'cutover server bootstrap [-c FILE] [-d DEST] [--known-hosts FILE] [--ssh-key FILE] [--skip-hooks] [--json]',
  options: { ...configOptions, ...hostOptions, 'skip-hooks': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: true,
  async run({ values, positionals }, io) {
    if (positionals.join(' ') !== 'bootstrap') throw new UsageError('say `server bootstrap`')
    const loaded = loadForCli(values, io, 'ssh')
    const { config, secrets, logger } = loaded
    // Kamal bootstraps the app's hosts and the accessories' hosts alike.
    const hosts = [...new Set([...configHosts(config).map((h) => h.host), ...(config.accessories ?? []).flatMap((a) => a.hosts.map((h) => h.host))])]
    const session = openSession(loaded, values, io)
    const who = performer(io.env)
    const hooks = deployHooks(
      new HookRunner({
        dir: resolve(io.cwd, config.hooks?.path ?? DEFAULTS.hooksPath),
        cwd: io.cwd,
        skip: values['skip-hooks'] === true,
        ...(config.hooks?.output !== undefined ? { output: config.hooks.output } : {}),
        run: { service: config.service, version: '', destination: config.destination, performer: who, command: 'server', subcommand: 'bootstrap', hosts },
        secrets: () => secrets.asEnv(),
        redact: session.redact,
        logger,
        startedAt: Date.now(),
      }),
    )
    const run = runReference(io.env)
    try {
      const result = await bootstrapServers(
        hosts,
        config.bootstrap?.installUrl ?? DEFAULTS.dockerInstallUrl,
        {
          host: primaryHost(config),
          app: configApp(config),
          details: { lockedBy: who, at: new Date().toISOString(), version: '-', message: 'Bootstrapping servers', ...(run ? { run } : {}) },
          staleAfterS: config.lock.staleAfter,
        },
        { pool: session, logger, dockerSetup: () => hooks.dockerSetup() },
      )
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`)
      else {
        for (const h of result.hosts) io.stdout(`${h.host}: ${h.action}${h.fetchedWith ? ` (install script fetched with ${h.fetchedWith})` : ''}${h.error ? `: ${h.error}` : ''}\n`)
        if (!result.ok) io.stdout(`docker-setup did not fire: ${result.hosts.filter((h) => h.action === 'failed').map((h) => h.host).join(', ')} failed\n`)
      }
      return result.ok ? EXIT.ok : EXIT.failure
    } finally {
      await session.close()
    }
  },
}
