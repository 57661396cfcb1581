import type { RunSpec } from './docker.js'
import { familiarRepository, optionize } from './docker.js'
import { LABEL_DESTINATION, LABEL_ROLE, LABEL_SERVICE, type AppRef } from './names.js'
import { shellJoin, type Argv } from './shell-join.js'

/**
 * The day-two app commands (`cutover app …`) as data. Containers are always picked by labels
 * (service, role, destination), never by name: versions may contain `-`.
 */

/** `--filter label=…` for this app; a role narrows it, a destination too (Kamal labels every container with it). */
export function appFilters(ref: Pick<AppRef, 'service' | 'destination'> & { role?: string | null }): string[] {
  return [
    '--filter', `label=${LABEL_SERVICE}=${ref.service}`,
    ...(ref.role ? ['--filter', `label=${LABEL_ROLE}=${ref.role}`] : []),
    ...(ref.destination ? ['--filter', `label=${LABEL_DESTINATION}=${ref.destination}`] : []),
  ]
}

/** `docker ps --all` of the app (or one role): Docker's own table, as `kamal app containers` shows it. */
export const containers = (ref: Pick<AppRef, 'service' | 'destination'> & { role?: string | null }, format?: string): Argv => ['docker', 'ps', '--all', ...appFilters(ref), ...formatted(format)]

/** Only the running ones of a role (`kamal app details`). */
export const details = (ref: AppRef, format?: string): Argv => ['docker', 'ps', ...appFilters(ref), ...formatted(format)]

/** The app's images on the host (`kamal app images`). */
export const images = (repository: string, format?: string): Argv => ['docker', 'image', 'ls', ...formatted(format), familiarRepository(repository)]

/** `{{json .}}`: one JSON object per row, for `--json`. */
export const JSON_ROWS = '{{json .}}'
const formatted = (format: string | undefined): string[] => (format ? ['--format', format] : [])

export interface LogOptions {
  since?: string | undefined
  lines?: number | undefined
  grep?: string | undefined
  follow?: boolean | undefined
}

/**
 * `docker logs` of one container (stderr merged, as a person reads logs), optionally through
 * `grep`. Kamal's default of 100 lines applies when neither --since nor --grep narrows it. The
 * pattern is a positional parameter of the script, never part of it.
 */
export function logs(container: string, o: LogOptions): Argv {
  const lines = o.lines ?? (o.since || o.grep ? undefined : 100)
  const argv = ['docker', 'logs', ...(o.since ? ['--since', o.since] : []), ...(lines !== undefined ? ['--tail', String(lines)] : []), ...(o.follow ? ['--follow'] : []), container]
  if (o.grep === undefined) return ['sh', '-c', `${shellJoin(argv)} 2>&1`]
  // --line-buffered: with --follow a match shows as it happens, not when grep's buffer fills.
  return ['sh', '-c', `${shellJoin(argv)} 2>&1 | grep ${o.follow ? '--line-buffered ' : ''}-e "$1"`, 'cutover-logs', o.grep]
}

/**
 * A one-off container of the role's current version: the role's clear env, its secret env file
 * (the secrets travel only there), volumes and options, on the app network, removed when it ends.
 * No name, labels, restart policy or network alias: it is no app container and never routed.
 */
export function execNew(spec: RunSpec, cmd: readonly string[], o: { interactive?: boolean } = {}): Argv {
  const { restart: _restart, ...options } = spec.options
  return [
    'docker', 'run', '--rm',
    ...(o.interactive ? ['--interactive', '--tty'] : []),
    '--network', spec.network,
    ...Object.entries(spec.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...(spec.envFile ? ['--env-file', spec.envFile] : []),
    ...spec.volumes.flatMap((v) => ['--volume', v]),
    ...optionize(options),
    spec.image,
    ...cmd,
  ]
}

/** The command inside the running container (its env is the one it was started with). */
export const execReuse = (container: string, cmd: readonly string[], o: { interactive?: boolean } = {}): Argv => [
  'docker', 'exec', ...(o.interactive ? ['--interactive', '--tty'] : []), container, ...cmd,
]
