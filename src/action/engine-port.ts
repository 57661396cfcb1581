import type { ConfiglessSpec } from '../config/configless/spec.js'
/**
 * What the Action needs from the deploy engine, and nothing more. The Action (src/action) talks
 * only to this port; an adapter over the real engine implements it, and unit tests use a fake.
 * Nothing here imports @actions/*, so the adapter can live with the engine.
 *
 * Contract shared by every operation:
 * - It resolves with a RunOutcome whenever hosts were driven, even when some of them failed
 *   (`result.hosts[].action === 'failed'`, with a redacted `error`): the Action turns those into
 *   the per-host table, annotations and a failed step.
 * - It rejects with an EngineFailure when the run stopped before or outside the hosts (bad
 *   config, red gate, lock held, version missing...). Any other rejection is treated as a bug
 *   and reported with its message only.
 * - Secrets never appear in messages, results or log lines; values derived from secrets go
 *   through `io.mask` before their first use.
 */
import type { DeployRequest } from '../engine/request.js'
import type { DryRunHost } from '../engine/deploy.js'
import type { DeployResult } from '../engine/result.js'
import type { GateResult } from '../gate/index.js'
import type { Logger } from '../log.js'

/** Which app and how to reach its hosts: what every operation starts from. */
export interface Target {
  /** Path of the Kamal config (`config/deploy.yml`), relative to the working directory (the checkout). */
  configFile: string
  /** Kamal destination (`-d staging` reads `config/deploy.staging.yml` over the base file). */
  destination?: string
  /** Private key text (OpenSSH or PEM), held in memory only; undefined: the config's ssh.keys / ssh.key_data. */
  sshPrivateKey?: string
  /** known_hosts text; host keys are checked strictly against it. */
  knownHosts: string
  /**
   * Extra environment (the Action's `secrets` input), consulted before process.env wherever the
   * config or `.kamal/secrets*` reads a variable. Values are secret and already masked.
   */
  env: Readonly<Record<string, string>>
  /** Input `allow-unreachable-hosts`: deploy to the hosts that answer; default: no host changes if one does not. */
  allowUnreachable?: boolean
  /** Replace the config's registry credentials (registry.username / registry.password). */
  registry?: { username?: string; password?: string }
  /**
   * This job's identity. `id` is written on the deploy lock's `run:` line and is what
   * releaseLockIfOwned compares; `url` is for people reading the lock details.
   */
  run: { id: string; url?: string }
  /** Break the deploy lock if it is stale (the `break-stale-lock` input). */
  breakStaleLock?: boolean
  /** The `image` input's config-less deploy: the config comes from these settings, not from configFile. */
  configless?: ConfiglessSpec
  /** Input `max-connections`: at most this many SSH connections at once; unset: x-cutover.fanout.max_connections. */
  maxConnections?: number
}

/**
 * A deploy, a preview or a rollback: where (the Target) and what, as the engine's one
 * DeployRequest, built once from the inputs (requests.ts: deployRequest). A rollback's request
 * names its version and skips the build.
 */
export interface DeployCall extends Target {
  request: DeployRequest
}

/** Deploy a PR's head as its own service `<service>-pr-<N>` on the config's `x-cutover.preview` hosts and host template. */
export interface PreviewDeployCall extends DeployCall {
  pr: number
}

/** Remove the service `<service>-pr-<N>` (containers, route, images); resolves when it is already gone. */
export interface PreviewRemoveRequest extends Target {
  pr: number
}

/** The post step's request: the run's target, and for a preview the PR (its lock is the preview service's). */
export interface LockReleaseRequest extends Target {
  pr?: number
}

/** One host and role's retained containers, newest first: what `rollback` can go back to. */
export interface RetainedVersions {
  host: string
  role: string
  versions: { version: string; container: string; running: boolean }[]
}

export interface RunOutcome {
  result: DeployResult
  /** The service name as deployed (`app`, or `app-pr-12` for a preview). */
  service: string
  /** `https://` or `http://` + the first proxy host (the preview host for previews); undefined when there is none. */
  url?: string
  /** Retained versions per host and role, as observed during the run; empty after a remove. */
  retained: RetainedVersions[]
  /** The gate's last word when it ran (the summary links failing checks from it). */
  gate?: GateResult
  /** What happened to the image, for the summary: e.g. built and pushed, or skipped because the registry has it. */
  build?: { action: 'built' | 'skipped'; detail: string }
}

/** `command: plan`: what deploying `version` would change per host and role, from a read-only look (engine/deploy.ts dryRun). */
export interface PlanOutcome {
  version: string
  service: string
  hosts: DryRunHost[]
}

export type LockRelease =
  /** The lock carried `run.id`; it is gone now. `details` is the lock's details file. */
  | { outcome: 'released'; details: string }
  /** No lock for this service and destination. */
  | { outcome: 'not-held' }
  /** Someone else's lock (another run, a person, Kamal): left alone. */
  | { outcome: 'held-by-other'; details: string }

/** A config problem as src/config reports it; the Action annotates `file:line`. */
export interface ConfigProblem {
  file: string
  keyPath: string
  line?: number
  message: string
  expected: string
}

export type FailureDetail =
  | { kind: 'config'; problems: ConfigProblem[] }
  /** The gate did not pass (`gate.status` is failed or timed-out). */
  | { kind: 'gate'; gate: GateResult }
  /** Another holder has the deploy lock; `holder` is its details file. */
  | { kind: 'lock-held'; holder: string }
  /** rollback: `image:version` is neither retained on the hosts nor in the registry. */
  | { kind: 'version-missing'; version: string; retained: RetainedVersions[] }
  /** Anything else a person must act on (registry auth, SSH host key, build failed...). */
  | { kind: 'other' }

export class EngineFailure extends Error {
  override name = 'EngineFailure'
  constructor(
    /** What went wrong, where, and the fix: shown as the error annotation. Already redacted. */
    message: string,
    readonly detail: FailureDetail = { kind: 'other' },
  ) {
    super(message)
  }
}

/** A named part of the run whose lines the Action shows together as one collapsible log group. */
export interface PhaseLogger extends Logger {
  /** Closes the phase; call once, failure included. */
  end(): void
}

/** What the Action hands the engine for one operation. */
export interface RunIO {
  /** Lines outside any phase. `error` lines are plain log lines: the Action makes the annotations. */
  log: Logger
  /**
   * A phase: `gate`, `build`, and one per host (prefix remote lines with `child(host)`).
   * Phases may overlap (hosts run in parallel); each is shown as one group, never interleaved.
   */
  phase(name: string): PhaseLogger
  /** Registers a value derived from secrets (env-file contents, base64 auth) with the log masker. Call before its first use. */
  mask(value: string): void
  /**
   * Lock bookkeeping for the post step. Call `lockState(true)` BEFORE trying to take the deploy
   * lock and `lockState(false)` once it is released (or taking it failed). If the step dies in
   * between, the post step calls releaseLockIfOwned.
   */
  lockState(mayHoldLock: boolean): void
  /** Aborted when the step is cancelled (possibly before the call starts): stop, release the lock, and reject. */
  signal: AbortSignal
}

export interface EnginePort {
  /** Gate ‖ build+push, then an idempotent zero-downtime deploy on every host. */
  deploy(call: DeployCall, io: RunIO): Promise<RunOutcome>
  /** Redeploys `call.request.version` (reusing retained containers) without building. */
  rollback(call: DeployCall, io: RunIO): Promise<RunOutcome>
  /** Stops and removes the app's containers, proxy routes and images on every host (`kamal remove`). */
  remove(request: Target, io: RunIO): Promise<RunOutcome>
  previewDeploy(call: PreviewDeployCall, io: RunIO): Promise<RunOutcome>
  previewRemove(request: PreviewRemoveRequest, io: RunIO): Promise<RunOutcome>
  /**
   * Post step: removes the deploy lock only if its `run:` line equals `request.run.id`.
   * Never throws for a lock that is absent or someone else's.
   */
  releaseLockIfOwned(request: LockReleaseRequest, io: RunIO): Promise<LockRelease>
  /** Plans a deploy of `call.request` (version, else its ref) without building, locking or changing any host. */
  plan(call: DeployCall, io: RunIO): Promise<PlanOutcome>
  /** Post step after a cancel or kill: what each host and role serves (running) and retains. Read-only: no lock, nothing changed. */
  serving(request: LockReleaseRequest, io: RunIO): Promise<RetainedVersions[]>
  /**
   * `command: exec`: one command in a new container of `version` (default: the one running) on
   * the primary host; each output line goes to `onLine`. Resolves with the command's exit code.
   */
  exec?(call: ExecCall, io: RunIO): Promise<{ host: string; version: string; exitCode: number }>
}

export interface ExecCall extends Target {
  version?: string | undefined
  /** The command words (input `exec`, split as a shell would, without a shell). */
  cmd: readonly string[]
  onLine: (line: string) => void
}
