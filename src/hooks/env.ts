/**
 * The environment a hook runs with, named and valued as Kamal 2.11 sets it (lib/kamal/tags.rb
 * and lib/kamal/cli/base.rb's run_hook): pure, so a table test pins every variable.
 */

/** The hooks Kamal runs, in the order a deploy meets them (docker-setup belongs to `server bootstrap`). */
export const HOOK_NAMES = ['pre-connect', 'pre-build', 'pre-deploy', 'pre-app-boot', 'post-app-boot', 'post-deploy', 'docker-setup'] as const
export type HookName = (typeof HOOK_NAMES)[number]

/** Kamal passes the resolved secrets to these hooks only. */
export const HOOKS_WITH_SECRETS: readonly HookName[] = ['pre-connect', 'pre-deploy', 'post-deploy']

/** What stays the same for every hook of one run. */
export interface HookRun {
  service: string
  /**
   * The app version being deployed (the image tag). Kamal's KAMAL_VERSION is this, not the tool's
   * version: it is `config.version` (a `--version` flag or the git commit), measured with Kamal 2.11.0.
   */
  version: string
  destination?: string | undefined
  performer: string
  /** Kamal's first invoked command: `deploy`, `rollback`, `server` (for bootstrap). */
  command: string
  subcommand?: string | undefined
  /** Every host the run targets, primary-role hosts first (Kamal's KAMAL.hosts). */
  hosts: readonly string[]
  /** Only when the run was limited to some roles (Kamal's `--roles`); cutover has no such flag yet. */
  roles?: readonly string[] | undefined
}

/** What differs per hook call. */
export interface HookCall {
  /** Whether the deploy lock is held while the hook runs (KAMAL_LOCK). */
  lock: boolean
  /** The boot group's hosts, for pre-app-boot and post-app-boot; default: the run's hosts. */
  hosts?: readonly string[]
  /** Whole seconds since the run began (post-deploy's KAMAL_RUNTIME). */
  runtimeS?: number
  /** NAME → value; passed only to HOOKS_WITH_SECRETS. */
  secrets?: Readonly<Record<string, string>>
}

/** Kamal's `service@version`, the version cut to 7 characters unless it holds `_` (an `_uncommitted_` build). */
export function serviceVersion(service: string, version: string): string {
  return `${service}@${version.includes('_') ? version : version.slice(0, 7)}`
}

/** Kamal's KAMAL_RECORDED_AT: UTC ISO 8601 to the second, `2026-12-07T23:08:57Z`. */
export const recordedAt = (now: Date): string => `${now.toISOString().slice(0, 19)}Z`

/**
 * The variables for one hook. Unset ones (no destination, no role filter) are absent, as in Kamal,
 * and the secrets come last, so a secret named like a KAMAL_ variable wins there too (Kamal merges
 * them over the tags).
 */
export function hookEnv(hook: HookName, run: HookRun, call: HookCall, now: Date): Record<string, string> {
  const env: Record<string, string> = {
    KAMAL_RECORDED_AT: recordedAt(now),
    KAMAL_PERFORMER: run.performer,
    KAMAL_VERSION: run.version,
    KAMAL_SERVICE_VERSION: serviceVersion(run.service, run.version),
    KAMAL_SERVICE: run.service,
    KAMAL_HOSTS: (call.hosts ?? run.hosts).join(','),
    KAMAL_LOCK: String(call.lock),
    KAMAL_COMMAND: run.command,
  }
  if (run.destination) env.KAMAL_DESTINATION = run.destination
  if (run.roles?.length) env.KAMAL_ROLES = run.roles.join(',')
  if (run.subcommand) env.KAMAL_SUBCOMMAND = run.subcommand
  if (call.runtimeS !== undefined) env.KAMAL_RUNTIME = String(call.runtimeS)
  if (call.secrets && HOOKS_WITH_SECRETS.includes(hook)) Object.assign(env, call.secrets)
  return env
}
