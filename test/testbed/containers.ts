import { createHash } from 'node:crypto'
import { docker, label, network } from './layout.js'
import { run, tryRun } from './sh.js'

/**
 * Capabilities a Docker engine inside a container needs. `--privileged` fails on this machine
 * (CAP_SYS_RESOURCE is not in the bounding set), so every other capability is added by name;
 * BPF, PERFMON and CHECKPOINT_RESTORE are unknown to Debian's Docker 20.10 and left out.
 */
const engineCaps = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE',
  'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
]

/** Flags that let a container run its own dockerd here (see DESIGN.md, Docker-in-Docker). */
export const dockerInDockerFlags: string[] = [
  ...engineCaps.flatMap((c) => ['--cap-add', c]),
  '--security-opt', 'seccomp=unconfined',
  '--security-opt', 'apparmor=unconfined',
  '--device-cgroup-rule', 'a *:* rwm',
  '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
  '--tmpfs', '/run',
  '--tmpfs', '/var/lib/docker:exec',
]

export interface ContainerSpec {
  name: string
  role: string
  image: string
  /** Everything after the image: command and arguments. */
  command?: string[]
  /** Flags between `docker run` and the image (network, ports, env, mounts...). */
  flags: string[]
}

/** A hash of everything that shapes the container: a running one with the same hash is reused. */
const specHash = (spec: ContainerSpec): string => createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16)

export async function ensureNetwork(): Promise<void> {
  const r = await tryRun([docker, 'network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', network.name])
  if (r.code === 0 && r.stdout.trim() === network.subnet) return
  if (r.code === 0) await run('removing a testbed network with the wrong subnet', [docker, 'network', 'rm', network.name])
  await run(`creating the Docker network ${network.name} (${network.subnet})`, [
    docker, 'network', 'create', '--driver', 'bridge', '--subnet', network.subnet, '--gateway', network.gateway, '--label', `${label}=network`, network.name,
  ], { fix: `another network may use ${network.subnet}: see \`docker network ls\`` })
}

/** Runs the container unless one with the same spec already runs; says whether it (re)started. */
export async function ensureContainer(spec: ContainerSpec): Promise<boolean> {
  const hash = specHash(spec)
  const seen = await tryRun([docker, 'inspect', '--format', `{{.State.Running}} {{index .Config.Labels "${label}.spec"}}`, spec.name])
  if (seen.code === 0 && seen.stdout.trim() === `true ${hash}`) return false
  if (seen.code === 0) await run(`removing the outdated container ${spec.name}`, [docker, 'rm', '-f', spec.name])
  await run(`starting the container ${spec.name}`, [
    docker, 'run', '-d', '--name', spec.name, '--label', `${label}=${spec.role}`, '--label', `${label}.spec=${hash}`,
    ...spec.flags, spec.image, ...(spec.command ?? []),
  ], { fix: `see \`docker logs ${spec.name}\`; \`npm run testbed:down\` then \`npm run testbed:up\` starts over` })
  return true
}

/** `docker exec` in a testbed container. */
export const execIn = (container: string, argv: string[], input?: string | Buffer) =>
  tryRun([docker, 'exec', ...(input === undefined ? [] : ['-i']), container, ...argv], { input, timeoutMs: 300_000 })
