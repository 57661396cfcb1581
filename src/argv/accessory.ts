import { optionize, type DockerOptionValue } from './docker.js'
import { LABEL_SERVICE, RUN_DIRECTORY, serviceAndDestination, underHome } from './names.js'
import type { Argv } from './shell-join.js'

/**
 * Kamal's accessory layout on a host, and the docker commands for it, as data. An accessory runs
 * as ONE container named `<service>-<accessory>` (or its `service:`), labelled `service=<that
 * name>`, so `kamal accessory details` finds what cutover booted and the reverse; its uploaded
 * files and relative directories live under `~/<that name>/`, its secret env file under the app's
 * `.kamal/apps/<service>/env/accessories/`.
 */

/** Everything that shapes an accessory container (a pure view of AccessoryConfig, paths made absolute). */
export interface AccessorySpec {
  /** The container name and `service` label value. */
  serviceName: string
  image: string
  network: string
  publish?: string
  clearEnv: Readonly<Record<string, string>>
  envFile: string
  /** Docker --volume values, absolute on the host side (directories and files included). */
  volumes: readonly string[]
  labels: Readonly<Record<string, string>>
  options: Readonly<Record<string, DockerOptionValue>>
  cmd: readonly string[]
}

/** `.kamal/apps/<service>[-dest]/env/accessories/<name>.env`, mode 0600: where the accessory's secrets go. */
export const accessoryEnvFile = (app: { service: string; destination: string | null }, name: string): string =>
  `${RUN_DIRECTORY}/apps/${serviceAndDestination(app)}/env/accessories/${name}.env`

/** `~/<serviceName>`: the accessory's own directory (Kamal's service data directory). */
export const accessoryDirectory = (home: string, serviceName: string): string => underHome(home, serviceName)

/** Where a `files:` entry lands on the host: its container path under the accessory's directory. */
export const accessoryFilePath = (home: string, serviceName: string, containerPath: string): string => `${accessoryDirectory(home, serviceName)}${containerPath}`

/** A `directories:` host path: absolute as written, else under the accessory's directory. */
export const accessoryHostDirectory = (home: string, serviceName: string, hostPath: string): string =>
  hostPath.startsWith('/') ? hostPath : `${accessoryDirectory(home, serviceName)}/${hostPath.replace(/^\.\//, '').replace(/\/+$/, '')}`

const pairs = (flag: string, map: Readonly<Record<string, string>>): string[] => Object.entries(map).flatMap(([k, v]) => [flag, `${k}=${v}`])

/** The settings `docker run` and a one-off `exec` share: env, env file, volumes. */
const envAndVolumes = (s: AccessorySpec): string[] => [...pairs('--env', s.clearEnv), '--env-file', s.envFile, ...s.volumes.flatMap((v) => ['--volume', v])]

/** Boot: detached, restarted unless stopped, logs capped at 10m like the app's (Kamal's defaults). */
export function run(s: AccessorySpec): Argv {
  return [
    'docker', 'run',
    '--name', s.serviceName,
    '--detach',
    '--restart', 'unless-stopped',
    '--network', s.network,
    '--log-opt', 'max-size=10m',
    ...(s.publish ? ['--publish', s.publish] : []),
    ...envAndVolumes(s),
    // The service label comes last so a user label cannot shadow it (the schema refuses one anyway).
    ...pairs('--label', { ...s.labels, [LABEL_SERVICE]: s.serviceName }),
    ...optionize(s.options),
    s.image,
    ...s.cmd,
  ]
}

/** A one-off command in a NEW container of the accessory's image, with its env and volumes; removed after. */
export const execNew = (s: AccessorySpec, cmd: readonly string[]): Argv => ['docker', 'run', '--rm', '--network', s.network, ...envAndVolumes(s), s.image, ...cmd]

/** A command inside the running accessory container (`--reuse`). */
export const execReuse = (serviceName: string, cmd: readonly string[]): Argv => ['docker', 'exec', serviceName, ...cmd]

/** The container's state (`running`, `exited`…); exit 1 when there is none. */
export const state = (serviceName: string): Argv => ['docker', 'container', 'inspect', '--format', '{{.State.Status}}', serviceName]

/** Every container with the accessory's service label, running or not (what `details` shows). */
export const details = (serviceName: string): Argv => ['docker', 'ps', '--all', '--filter', `label=${LABEL_SERVICE}=${serviceName}`]

export interface LogOptions {
  lines?: number
  since?: string
  timestamps?: boolean
}

export const logs = (serviceName: string, o: LogOptions = {}): Argv => [
  'docker', 'logs',
  ...(o.timestamps === false ? [] : ['--timestamps']),
  ...(o.since ? ['--since', o.since] : []),
  '--tail', String(o.lines ?? 100),
  serviceName,
]

/** Stop (`docker stop` waits its grace period; busybox-like PID 1s that ignore TERM take all of it). */
export const stop = (serviceName: string): Argv => ['docker', 'container', 'stop', serviceName]

/** Remove the accessory's container whatever its state; a missing one is not an error. */
export const removeContainer = (serviceName: string): Argv => ['sh', '-c', 'docker container rm --force "$1" >/dev/null 2>&1 || ! docker container inspect "$1" >/dev/null 2>&1', 'cutover-rm', serviceName]

/** Remove the image unless another container still uses it (Kamal removes it; a shared image is kept). */
export const removeImage = (image: string): Argv => ['sh', '-c', 'docker image rm "$1" >/dev/null 2>&1 || true', 'cutover-rmi', image]

export const makeDirectories = (paths: readonly string[]): Argv => ['mkdir', '-p', '--', ...paths]

/**
 * Remove the accessory's own directory and its env file. Refuses anything that is not strictly
 * inside the home directory given, so a bad name can never turn this into `rm -rf ~` or `/`.
 */
export function removeFiles(home: string, dir: string, envFile: string): Argv {
  const base = home.replace(/\/+$/, '')
  for (const p of [dir, envFile]) {
    const abs = underHome(base, p)
    if (!abs.startsWith(`${base}/`) || abs.split('/').includes('..') || abs === `${base}/`) throw new Error(`refusing to remove ${JSON.stringify(p)}: not inside ${base}`)
  }
  return ['rm', '-rf', '--', underHome(base, dir), underHome(base, envFile)]
}
