import { hostname, userInfo } from 'node:os'
import type { GateOptions } from '../gate/index.js'
import type { DeployHooks } from '../hooks/lifecycle.js'
import type { Logger } from '../log.js'
import type { PauseAt } from './pause.js'

/**
 * What one deploy (or rollback, or preview) is asked to do. Each edge builds it once: the CLI
 * from its flags (cli/commands/deploy.ts, rollback.ts), the Action from its inputs
 * (action/requests.ts). The engine reads it as is, from ship() down to the lock's details;
 * nothing between re-shapes it.
 */
export interface DeployRequest {
  /** The app's directory (holding config/deploy.yml): its git repository is what gets built. */
  appDir: string
  /** Build this commit instead of HEAD (`--ref`; the Action: the event's commit, a PR's head). */
  ref?: string | undefined
  /** Tag to deploy; default: the commit SHA. */
  version?: string | undefined
  /** Deploy image:version as the registry has it: no build, no push, no local login. Fold flags with skipsBuild. */
  skipBuild: boolean
  /** The CI gate, awaited while the build runs; undefined: no gate. */
  gate?: GateOptions | undefined
  /** Who deploys, for the lock and the audit log: see performer(). */
  performer: string
  /** The CI run recorded on the lock's `Run:` line (the Action's post step tells its own lock by it). */
  run?: string | undefined
  /** The lock's message; default `Deploying <version>`. */
  message?: string | undefined
  /** Only these hosts (`--hosts`), as written in the config; undefined or empty: every host. */
  onlyHosts?: readonly string[] | undefined
  /** `--break-stale-lock` (Action input break-stale-lock): break the deploy lock if, and only if, its heartbeat is stale (engine/lock.ts). */
  breakStale?: boolean | undefined
  /** `--allow-unreachable` (Action input allow-unreachable-hosts): go on with the hosts that answer; default: no host changes if one does not. */
  allowUnreachable?: boolean | undefined
  /** What the user ran, as Kamal's hooks see it (KAMAL_COMMAND); default `deploy` (a preview too). */
  command?: 'deploy' | 'rollback' | undefined
  /** `--skip-hooks` / the Action's `skip-hooks`: the edge's hooksFor then runs none of them. */
  skipHooks?: boolean | undefined
  /** `--roles a,b`: only these roles; undefined or empty: every role. The lock stays on the primary host. */
  onlyRoles?: readonly string[] | undefined
  /** `--lock-wait SECONDS`: wait up to this long for a held deploy lock (engine/lock.ts) instead of failing at once. */
  lockWaitS?: number | undefined
  /** `cutover app boot`: a fresh container of the version even where it already serves (plan: DesiredRole.reboot). */
  reboot?: boolean | undefined
}

/**
 * What the layers below ship (deployService, dryRunService) read of a DeployRequest, once the
 * version is known (built, resolved from git, or named by a rollback).
 */
export type VersionedRequest = Pick<DeployRequest, 'performer' | 'run' | 'message' | 'onlyHosts' | 'breakStale' | 'allowUnreachable' | 'onlyRoles' | 'lockWaitS' | 'reboot'> & { version: string }

/** The request as the layers below ship read it, once its version is known. Every field of VersionedRequest is copied here, so none is dropped on the way down. */
export function versioned(req: DeployRequest, version: string): VersionedRequest {
  // Typed with every key required: a field added to VersionedRequest and not copied is a type error.
  const all: { [K in keyof Required<VersionedRequest>]: VersionedRequest[K] } = {
    version,
    performer: req.performer,
    run: req.run,
    message: req.message,
    onlyHosts: req.onlyHosts,
    breakStale: req.breakStale,
    allowUnreachable: req.allowUnreachable,
    onlyRoles: req.onlyRoles,
    lockWaitS: req.lockWaitS,
    reboot: req.reboot,
  }
  return all
}

/** Held deploy lock, as withLock hands it to onLock. */
export interface HeldLock {
  release: () => Promise<void>
}

/**
 * The callbacks of one run, given once by the edge and handed down unchanged to the layer that
 * calls them (see src/engine/README.md for who calls which).
 */
export interface RunHooks {
  /** Told when the deploy lock is taken (and null once released): the CLI's signal handler, the Action's lock bookkeeping. */
  onLock?: ((held: HeldLock | null) => void) | undefined
  /** Where a host's lines go (the Action: one log group per host); default: the deploy logger, prefixed `[host]`. */
  hostLog?: ((host: string) => Logger) | undefined
  /** Test hook (CUTOVER_PAUSE_AT): stop for good at a named point, see pause.ts. */
  pauseAt?: PauseAt | undefined
  /**
   * Kamal's hook scripts (src/hooks: hooksFor(session, request, logger)), fired at their points of
   * the ladder: pre-connect and pre-build in ship, pre-connect again (a no-op once fired) and
   * post-deploy in deployService, pre-deploy and pre/post-app-boot (per boot group) in deploy.
   * Default: none fire.
   */
  kamalHooks?: DeployHooks | undefined
}

/**
 * Kamal's `--skip-push` means the same as `--skip-build` here: nothing is built or pushed, the
 * registry's image:version is deployed. The one place the two flags (or inputs) become one.
 */
export const skipsBuild = (flags: { skipBuild?: boolean | undefined; skipPush?: boolean | undefined }): boolean => Boolean(flags.skipBuild || flags.skipPush)

/**
 * Who deploys, for the lock's `Locked by:` and the audit log. In GitHub Actions the actor who
 * started the run (GITHUB_ACTOR is set on every runner); elsewhere the person at the terminal,
 * as user@machine. The Action used to fall back to a fixed `cutover (GitHub Actions)`; a run
 * without GITHUB_ACTOR (a local action runner) now names the machine's user instead, which says
 * more about who holds a lock.
 */
export function performer(env: Readonly<Record<string, string | undefined>>): string {
  if (env.GITHUB_ACTOR) return `${env.GITHUB_ACTOR} (GitHub Actions)`
  return `${env.USER ?? userInfo().username}@${hostname()}`
}
