import { resolve } from 'node:path'
import { DEFAULTS } from '../config/index.js'
import type { DeployRequest } from '../engine/request.js'
import type { Session } from '../engine/session.js'
import { configHosts } from '../engine/targets.js'
import type { LocalExec } from '../local-exec.js'
import type { Logger } from '../log.js'
import { deployHooks, type DeployHooks } from './lifecycle.js'
import { HookRunner } from './runner.js'

export { HOOK_NAMES, hookEnv, serviceVersion, type HookName, type HookRun } from './env.js'
export { deployHooks, NO_HOOKS, type DeployHooks } from './lifecycle.js'
export { HookRunner, outputLevel, type HookRunnerOptions } from './runner.js'

/**
 * Kamal's hooks for one deploy, rollback or preview of the session's config, as the request asks
 * (its command, performer, version, `--hosts`, `--skip-hooks`). The edge calls it once and hands
 * the result to ship as `RunHooks.kamalHooks`. Hooks run in the app's directory (in the Action: the
 * workspace), as Kamal runs them from its working directory; hooks_path is relative to it.
 */
export function hooksFor(session: Session, request: DeployRequest, logger: Logger, exec?: LocalExec): DeployHooks {
  const { config, secrets } = session.options
  return deployHooks(
    new HookRunner({
      dir: resolve(request.appDir, config.hooks?.path ?? DEFAULTS.hooksPath),
      cwd: request.appDir,
      skip: Boolean(request.skipHooks),
      ...(config.hooks?.output !== undefined ? { output: config.hooks.output } : {}),
      run: {
        service: config.service,
        // The version when already known (a `--version`, a rollback); else set once resolved.
        version: request.version ?? '',
        destination: config.destination,
        performer: request.performer,
        command: request.command ?? 'deploy',
        hosts: runHosts(config, request.onlyHosts),
      },
      secrets: () => secrets.asEnv(),
      redact: session.redact,
      logger,
      startedAt: Date.now(),
      ...(exec ? { exec } : {}),
    }),
  )
}

/** Kamal's KAMAL_HOSTS: every app host in config order (roles by name), narrowed by `--hosts`, primary-role hosts first. */
export function runHosts(config: Session['options']['config'], onlyHosts?: readonly string[]): string[] {
  const primary = new Set(config.roles.find((r) => r.name === config.primaryRole)?.hosts.map((h) => h.host) ?? [])
  const hosts = configHosts(config).map((h) => h.host).filter((h) => !onlyHosts?.length || onlyHosts.includes(h))
  return [...hosts.filter((h) => primary.has(h)), ...hosts.filter((h) => !primary.has(h))]
}
