import type { SecretNeeds } from '../../../config/index.js'
import { appHosts, type AppHost } from '../../../engine/app-hosts.js'
import { withLock } from '../../../engine/lock.js'
import { performer } from '../../../engine/request.js'
import type { Session } from '../../../engine/session.js'
import { configApp, primaryHost } from '../../../engine/targets.js'
import { type CliCommand, type CliIO, configOptions, type OptionValues } from '../../command.js'
import { hostOptions, type Loaded, loadForCli, openSession, runReference } from '../../context.js'
import { deployLikeOptions, lockWaitSeconds, scopeFromFlags } from '../../deploy-flags.js'
import { releaseOnSignal } from '../../signals.js'

/** What every `cutover app …` (and proxy, prune, audit) command takes. */
export const appOptions = {
  ...configOptions,
  ...hostOptions,
  hosts: { type: 'string' },
  ...deployLikeOptions,
  json: { type: 'boolean' },
} as const satisfies CliCommand['options']

export const APP_USAGE = '[-c FILE] [-d DEST] [--hosts H,…] [--roles R,…] [--primary] [-v] [--known-hosts FILE] [--ssh-key FILE]'

export interface AppContext {
  loaded: Loaded
  session: Session
  /** The hosts (and their roles) the flags narrow the command to. */
  hosts: AppHost[]
}

/** Load the config, open the session, pick the hosts; the session is closed whatever happens. */
export async function withApp(values: OptionValues, io: CliIO, needs: SecretNeeds, work: (ctx: AppContext) => Promise<number>): Promise<number> {
  const loaded = loadForCli(values, io, needs)
  const hosts = appHosts(loaded.config, scopeFromFlags(values, loaded.config))
  const session = openSession(loaded, values, io)
  try {
    return await work({ loaded, session, hosts })
  } finally {
    await session.close()
  }
}

/**
 * Kamal's `mutating`: the deploy lock is held around commands that change what runs (start,
 * stop, maintenance, stale-containers --stop, prune), so they never cross a deploy. `--lock-wait`
 * waits for it; Ctrl-C releases it.
 */
export async function mutating<T>(ctx: AppContext, values: OptionValues, io: CliIO, message: string, work: () => Promise<T>): Promise<T> {
  const { config } = ctx.loaded
  const signals = releaseOnSignal(ctx.loaded.logger, undefined)
  const wait = lockWaitSeconds(values)
  const run = runReference(io.env)
  try {
    return await withLock(
      {
        host: primaryHost(config),
        app: configApp(config),
        details: { lockedBy: performer(io.env), at: new Date().toISOString(), version: '-', message, ...(run ? { run } : {}) },
        staleAfterS: config.lock.staleAfter,
        ...(wait ? { waitS: wait } : {}),
      },
      { pool: ctx.session, logger: ctx.loaded.logger, onLock: signals.onLock },
      work,
    )
  } finally {
    signals.dispose()
  }
}
