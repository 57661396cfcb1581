import * as app from '../argv/app.js'
import type { HostState } from '../argv/observation.js'
import type { Argv } from '../argv/shell-join.js'
import { desiredContainer } from '../plan/container.js'
import type { RemoteHost } from '../remote/host.js'
import * as docker from '../argv/docker.js'
import { imageRef } from '../plan/desired.js'
import { imagePresent } from '../plan/plan.js'
import { observeApp, roleCurrent } from './app-hosts.js'
import { nonce, type Session } from './session.js'
import { hostTargets, primaryHost } from './targets.js'

export interface ExecPlan {
  /** The container the command runs in: a new one of `version`, or (reuse) the running one. */
  argv: Argv
  version: string
  /** The running container it was based on (its image, its version). */
  container: string
  /** New container only: the role's secret env file, to write (0600) when the host lacks it. */
  envFile?: { path: string; content: string }
}

/**
 * `cutover app exec`: a one-off command next to the role's current container on a host. A new
 * container runs the current container's image (by its version) with the role's clear env in
 * argv and its secret env from the role's env file, never argv (Kamal's way); `reuse` runs the
 * command inside the current container instead. The command words go to Docker as they are.
 */
export function execPlan(session: Session, host: string, role: string, seen: HostState, cmd: readonly string[], o: { reuse?: boolean; interactive?: boolean; performer: string }): ExecPlan {
  const { config, secrets } = session.options
  const current = roleCurrent(seen, config, role)
  if (!current) throw new Error(`${host}: no running ${role} container of ${config.service} to take the version from: deploy first (\`cutover deploy\`), or start it (\`cutover app start\`)`)
  if (!current.version) throw new Error(`${host}: ${current.name} has no cutover.version label (not deployed by cutover): deploy it with cutover first`)
  if (o.reuse) return { argv: app.execReuse(current.id, cmd, o), version: current.version, container: current.name }
  const targets = hostTargets({
    config,
    secrets,
    version: current.version,
    imageId: current.imageId,
    run: { performer: o.performer, at: new Date().toISOString(), nonce: nonce() },
    onlyHosts: [host],
    onlyRoles: [role],
  })
  const desired = targets[0]?.roles[0]
  if (!desired) throw new Error(`${host}: ${role} is not deployed to this host by the config`)
  const want = desiredContainer(desired)
  return { argv: app.execNew(want.spec, cmd, o), version: current.version, container: current.name, envFile: { path: want.envFilePath, content: want.envFile } }
}

/** Writes the role's env file (0600) if the host lacks it: a deploy wrote it, and is what normally keeps it current. */
export async function ensureEnvFile(remote: RemoteHost, file: { path: string; content: string }): Promise<void> {
  const r = await remote.exec(['test', '-f', file.path], { timeoutMs: 30_000 })
  if (r.code !== 0) await remote.upload(file.content, file.path, 0o600)
}

export interface OneOff {
  host: string
  version: string
  exitCode: number
}

/**
 * The Action's `command: exec`: one command in a new container of `version` (default: the
 * version the primary role runs) on the primary host, its output streamed line by line to `log`.
 * A version not on the host yet (a migration before its deploy) is pulled first, from the
 * registry's digest, as a deploy would.
 */
export async function execOnPrimary(session: Session, o: { version?: string | undefined; cmd: readonly string[]; performer: string; onLine: (line: string) => void }): Promise<OneOff> {
  const { config, secrets } = session.options
  const host = primaryHost(config)
  const role = (config.roles.find((r) => r.primary) ?? config.roles[0])!.name
  const remote = await session.host(host)
  const seen = await observeApp(remote, config)
  let argv: Argv
  let version: string
  let envFile: { path: string; content: string } | undefined
  if (o.version === undefined) {
    const plan = execPlan(session, host, role, seen, o.cmd, { performer: o.performer })
    ;({ argv, version, envFile } = plan)
  } else {
    version = o.version
    const imageId = await session.imageDigest(version)
    const desired = hostTargets({ config, secrets, version, imageId, run: { performer: o.performer, at: new Date().toISOString(), nonce: nonce() }, onlyHosts: [host], onlyRoles: [role] })[0]!.roles[0]!
    if (!imagePresent(desired, seen)) {
      const image = imageRef(desired)
      const r = desired.registry
        ? await remote.exec(docker.loginAndPull(desired.registry.server, desired.registry.username, image), { stdin: desired.registry.password, timeoutMs: 15 * 60_000 })
        : await remote.exec(docker.pull(image), { timeoutMs: 15 * 60_000 })
      if (r.code !== 0) throw new Error(session.redact(`${host}: pulling ${image} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`))
    }
    const want = desiredContainer(desired)
    argv = app.execNew(want.spec, o.cmd)
    envFile = { path: want.envFilePath, content: want.envFile }
  }
  if (envFile) await ensureEnvFile(remote, envFile)
  if (!remote.stream) throw new Error(`${host}: this connection cannot stream output`)
  let partial = ''
  const emit = (b: Buffer): void => {
    const lines = (partial + b.toString('utf8')).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) o.onLine(session.redact(l))
  }
  const exitCode = await remote.stream(argv, { onStdout: emit, onStderr: emit })
  if (partial) o.onLine(session.redact(partial))
  return { host, version, exitCode }
}
