import type { DeployConfig } from '../config/index.js'
import { performer, type DeployRequest } from '../engine/request.js'
import type { CliIO, OptionValues } from './command.js'
import { runReference } from './context.js'
import { lockWaitSeconds, scopeFromFlags } from './deploy-flags.js'

/**
 * The request of a deploy-like command that names a version already in the registry (rollback,
 * app boot): no build, so ship goes straight to the hosts, with the flags every such command takes.
 */
export function namedVersionRequest(values: OptionValues, io: CliIO, config: DeployConfig, o: { version: string; command: 'deploy' | 'rollback'; message: string }): DeployRequest {
  return {
    appDir: io.cwd,
    version: o.version,
    skipBuild: true,
    performer: performer(io.env),
    run: runReference(io.env),
    message: typeof values.message === 'string' ? values.message : o.message,
    breakStale: values['break-stale-lock'] === true,
    command: o.command,
    skipHooks: values['skip-hooks'] === true,
    ...scopeFromFlags(values, config),
    lockWaitS: lockWaitSeconds(values),
  }
}
