import { commandWords as words } from '../../../argv/command-words.js'
import { observeApp, onHosts, primaryAppHost } from '../../../engine/app-hosts.js'
import { ensureEnvFile, execPlan } from '../../../engine/app-exec.js'
import { performer } from '../../../engine/request.js'
import type { Session } from '../../../engine/session.js'
import { type CliCommand, type CliIO, EXIT, UsageError } from '../../command.js'
import { scopeFromFlags } from '../../deploy-flags.js'
import { printHostRuns } from '../../per-host.js'
import { APP_USAGE, appOptions, withApp } from './common.js'

/** The command's words (argv/command-words.ts); a mistake in them is a usage error. */
export function commandWords(positionals: readonly string[]): string[] {
  try {
    return words(positionals)
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

/** `--interactive`: the local terminal wired to a PTY on the host, until the command ends. */
async function interactive(session: Session, host: string, argv: readonly string[], io: CliIO): Promise<number> {
  const remote = await session.host(host)
  if (!remote.stream) throw new Error(`${host}: this connection cannot open a terminal`)
  const stdin = process.stdin
  const raw = stdin.isTTY === true
  if (raw) stdin.setRawMode(true)
  try {
    const pty = { rows: process.stdout.rows || 24, cols: process.stdout.columns || 80, term: io.env.TERM || 'xterm' }
    // Straight to the terminal: a console's escape sequences must not be prefixed or split into lines.
    return await remote.stream(argv, { pty, input: stdin, onStdout: (b) => process.stdout.write(b), onStderr: (b) => process.stderr.write(b) })
  } finally {
    if (raw) stdin.setRawMode(false)
    stdin.pause()
  }
}

export const execCommand: CliCommand = {
  name: 'exec',
  summary: 'Run a command in a new container of the current version on each host (--reuse: in the running one; --interactive: on the primary host, with a terminal)',
  usage: `cutover app exec CMD [--reuse] [-i|--interactive] ${APP_USAGE} [--json]`,
  options: { ...appOptions, reuse: { type: 'boolean' }, interactive: { type: 'boolean', short: 'i' } },
  positionals: true,
  run: ({ values, positionals }, io) => {
    const cmd = commandWords(positionals)
    return withApp(values, io, 'all', async ({ loaded, session, hosts }) => {
      const { config } = loaded
      const opts = { reuse: values.reuse === true, interactive: values.interactive === true, performer: performer(io.env) }
      if (opts.interactive) {
        const h = primaryAppHost(config, scopeFromFlags(values, config))
        const remote = await session.host(h.host)
        const plan = execPlan(session, h.host, h.roles[0]!, await observeApp(remote, config), cmd, opts)
        if (plan.envFile) await ensureEnvFile(remote, plan.envFile)
        loaded.logger.info(`${h.host}: ${opts.reuse ? `in ${plan.container}` : `a new container of ${plan.version}`}, with a terminal`)
        return interactive(session, h.host, plan.argv, io)
      }
      const runs = await onHosts(session, hosts, loaded.logger, async (remote, h, log) => {
        const plan = execPlan(session, h.host, h.roles[0]!, await observeApp(remote, config), cmd, opts)
        if (plan.envFile) await ensureEnvFile(remote, plan.envFile)
        log.info(opts.reuse ? `running in ${plan.container}` : `running in a new container of ${plan.version}`)
        const r = await remote.exec(plan.argv, { timeoutMs: 30 * 60_000 })
        return { version: plan.version, exitCode: r.code, output: r.stdout + r.stderr }
      })
      const code = printHostRuns(io, runs, { json: values.json === true, text: (v) => v.output, data: (v) => v })
      const failed = runs.filter((r) => r.value && r.value.exitCode !== 0)
      if (!values.json) for (const r of failed) io.stderr(`[${r.host}] error: the command exited ${r.value!.exitCode}\n`)
      return failed.length > 0 ? EXIT.failure : code
    })
  },
}
