import type { Argv } from '../argv/shell-join.js'
import type { Secret } from './secret.js'

/** One remote command: RemoteHost.exec(argv, { stdin, timeoutMs }). */
export interface Exec {
  argv: Argv
  /** Fed to stdin (a registry password). A Secret, so a printed plan shows `[REDACTED]`. */
  stdin?: Secret
  /** Upper bound for this command; undefined = the executor's default. */
  timeoutMs?: number
}

/** What to do when a new container never gets healthy: show its log tail, then clean it up. */
export interface OnFailure {
  /** `docker logs --tail 50 …`: redact every secret value before showing it. */
  logs: Exec
  /** `docker rm --force` for a container this run created; `docker stop` for a reused one. */
  cleanup: Exec
}

/**
 * The plan is data: each step says what and why in fields, and how in argv. Steps run in order;
 * a failing step stops the plan, except `bestEffort` ones (the executor warns and goes on:
 * they tidy up after the switch, and the next run retries them).
 */
export type Step = (
  | { kind: 'ensureNetwork'; exec: Exec }
  | { kind: 'mkdir'; exec: Exec; path: string }
  | { kind: 'runProxy'; exec: Exec }
  | { kind: 'startProxy'; exec: Exec }
  /** With `server`, one command logs in to it (password on stdin) and pulls (docker.loginAndPull). */
  | { kind: 'pull'; exec: Exec; image: string; server?: string }
  /** RemoteHost.upload(content.reveal(), path, mode). */
  | { kind: 'writeFile'; path: string; mode: number; content: Secret; keys: number }
  | { kind: 'rename'; exec: Exec; from: string; to: string }
  | { kind: 'run'; exec: Exec; container: string }
  | { kind: 'start'; exec: Exec; container: string }
  /** Poll exec until interpretHealth says ready (or failed, or timeoutMs passes). No-proxy roles. */
  | { kind: 'awaitHealthy'; exec: Exec; container: string; timeoutMs: number; onFailure: OnFailure }
  /** Health-checks the target, switches traffic, drains the old one; non-zero = old still serves. */
  | { kind: 'proxyDeploy'; exec: Exec; service: string; container: string; onFailure: OnFailure }
  /** `restore` (recreate only): `docker start` of the same containers, run if a later step fails. */
  | { kind: 'stop'; exec: Exec; containers: string[]; restore?: Exec }
  | { kind: 'remove'; exec: Exec; containers: string[] }
  | { kind: 'removeImages'; exec: Exec; images: string[] }
  | { kind: 'pruneImages'; exec: Exec }
  | { kind: 'audit'; exec: Exec }
) & {
  bestEffort?: true
  /**
   * recreate: the role serves nothing from the start of the `starts` step (the old container
   * stops) to the end of the `ends` step (the new one is switched to or ready). The executor
   * measures that span and reports it as the role's downtime.
   */
  downtime?: 'starts' | 'ends'
}

export type StepKind = Step['kind']

/** One line per step for logs and `--dry-run`. Holds no secret (argv never does). */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'ensureNetwork':
      return 'ensure the kamal network exists'
    case 'mkdir':
      return `create directory ${step.path}`
    case 'runProxy':
      return 'boot kamal-proxy'
    case 'startProxy':
      return 'start the stopped kamal-proxy'
    case 'pull':
      return step.server ? `log in to ${step.server} and pull ${step.image}` : `pull ${step.image}`
    case 'writeFile':
      return `write ${step.path} (${step.keys} secret ${step.keys === 1 ? 'key' : 'keys'}, mode ${step.mode.toString(8)})`
    case 'rename':
      return `rename ${step.from} to ${step.to}`
    case 'run':
      return `run ${step.container}`
    case 'start':
      return `start ${step.container}`
    case 'awaitHealthy':
      return `wait for ${step.container} to be healthy`
    case 'proxyDeploy':
      return `switch ${step.service} to ${step.container}`
    case 'stop':
      return `stop ${step.containers.join(', ')}`
    case 'remove':
      return `remove ${step.containers.join(', ')}`
    case 'removeImages':
      return `remove images ${step.images.join(', ')}`
    case 'pruneImages':
      return 'prune dangling images'
    case 'audit':
      return 'append to the audit log'
  }
}
