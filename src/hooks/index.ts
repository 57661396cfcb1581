import { resolve } from 'node:path'
import { DEFAULTS } from '../config/index.js'
import type { Session } from '../engine/session.js'
import { configHosts } from '../engine/targets.js'
import type { LocalExec } from '../local-exec.js'
import type { Logger } from '../log.js'
import { deployHooks, type DeployHooks } from './lifecycle.js'
import { HookRunner } from './runner.js'

export { HOOK_NAMES, hookEnv, serviceVersion, type HookName, type HookRun } from './env.js'
export { deployHooks, NO_HOOKS, type DeployHooks } from './lifecycle.js'
export { HookError, HookRunner, outputLevel, type HookRunnerOptions } from './runner.js'

export interface HooksRequest {
  session: Session
  /** The app's directory: hooks_path is relative to it, and hooks run in it. */
  appDir: string
  /** Kamal's KAMAL_COMMAND: `deploy` or `rollback`. */
  command: string
  performer: string
  /** `--skip-hooks`. */
  skip: boolean
  /** The version when already known (a `--version`, a rollback); else set once resolved. */
  version?: string | undefined
  onlyHosts?: readonly string[] | undefined
  logger: Logger
  exec?: LocalExec
}

/** Kamal's hooks for one deploy or rollback of the session's config. */
export function hooksFor(req: HooksRequest): DeployHooks {
  const { config, secrets } = req.session.options
  return deployHooks(
    new HookRunner({
      dir: resolve(req.appDir, config.hooks?.path ?? DEFAULTS.hooksPath),
      cwd: req.appDir,
      skip: req.skip,
      ...(config.hooks?.output !== undefined ? { output: config.hooks.output } : {}),
      run: {
        service: config.service,
        version: req.version ?? '',
        destination: config.destination,
        performer: req.performer,
        command: req.command,
        hosts: runHosts(config, req.onlyHosts),
      },
      secrets: () => secrets.asEnv(),
      redact: req.session.redact,
      logger: req.logger,
      startedAt: Date.now(),
      ...(req.exec ? { exec: req.exec } : {}),
    }),
  )
}

/** Kamal's KAMAL_HOSTS: every app host in config order (roles by name), narrowed by `--hosts`, primary-role hosts first. */
export function runHosts(config: Session['options']['config'], onlyHosts?: readonly string[]): string[] {
  const primary = new Set(config.roles.find((r) => r.name === config.primaryRole)?.hosts.map((h) => h.host) ?? [])
  const hosts = configHosts(config).map((h) => h.host).filter((h) => !onlyHosts?.length || onlyHosts.includes(h))
  return [...hosts.filter((h) => primary.has(h)), ...hosts.filter((h) => !primary.has(h))]
}
