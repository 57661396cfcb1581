import * as acc from '../argv/accessory.js'
import * as docker from '../argv/docker.js'
import { NETWORK } from '../argv/names.js'
import type { Argv } from '../argv/shell-join.js'
import type { AccessoryConfig, DeployConfig } from '../config/index.js'
import type { Logger } from '../log.js'
import type { RemoteHost } from '../remote/host.js'
import type { PreparedAccessory } from './accessory-files.js'
import { splitCmd } from './targets.js'

/**
 * `cutover accessory …` on one host. Accessories are Kamal's side services (a database, a cache):
 * one container each, booted and removed only by these commands; `deploy` never looks at them
 * (its observe filters on the app's own `service` label, which an accessory's never equals).
 */

export interface AccessoryHostContext {
  host: RemoteHost
  log: Logger
  config: Pick<DeployConfig, 'service' | 'destination' | 'registry'>
  /** The registry login, when the accessory's image lives on the config's registry. */
  registry: { server: string; username: string; password: string } | null
}

/** The home directory of the SSH user: volumes need absolute host paths (Kamal writes `$PWD/...`). */
export async function homeOf(host: RemoteHost): Promise<string> {
  const r = await host.exec(['pwd'], { timeoutMs: 30_000 })
  const home = r.stdout.trim()
  if (r.code !== 0 || !home.startsWith('/')) throw new Error(`${host.name}: could not read the home directory (pwd: exit ${r.code})`)
  return home
}

/** The docker-level spec of an accessory on a host whose home is `home`. */
export function accessorySpec(a: AccessoryConfig, app: { service: string; destination: string | null }, home: string): acc.AccessorySpec {
  return {
    serviceName: a.serviceName,
    image: a.image,
    network: a.network,
    ...(a.publish ? { publish: a.publish } : {}),
    clearEnv: a.env.clear,
    envFile: `${home}/${acc.accessoryEnvFile(app, a.name)}`,
    volumes: [
      ...a.volumes,
      ...a.files.map((f) => `${acc.accessoryFilePath(home, a.serviceName, f.container)}:${f.container}`),
      ...a.directories.map((d) => `${acc.accessoryHostDirectory(home, a.serviceName, d.host)}:${d.container}`),
    ],
    labels: a.labels,
    options: a.options,
    cmd: a.cmd === undefined ? [] : splitCmd(a.cmd, a.name, `accessories/${a.name}/cmd`),
  }
}

const must = async (ctx: AccessoryHostContext, argv: Argv, what: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> => {
  const r = await ctx.host.exec(argv, { timeoutMs: opts.timeoutMs ?? 120_000, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) })
  if (r.code !== 0) throw new Error(`${ctx.host.name}: ${what} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ')}`)
  return r.stdout
}

/** `running`, `exited`…, or null when no container of that name exists. */
export async function accessoryState(host: RemoteHost, serviceName: string): Promise<string | null> {
  const r = await host.exec(acc.state(serviceName), { timeoutMs: 30_000 })
  return r.code === 0 ? r.stdout.trim() : null
}

/**
 * Boot: directories, files and the 0600 env file first, then the network, the image (logged in
 * when it lives on the config's registry), then `docker run`. An existing container is left alone
 * (as Kamal does): `reboot` replaces it.
 */
export async function bootOnHost(ctx: AccessoryHostContext, a: AccessoryConfig, prepared: PreparedAccessory): Promise<'booted' | 'exists'> {
  const existing = await accessoryState(ctx.host, a.serviceName)
  if (existing !== null) {
    ctx.log.info(`${a.serviceName} already exists (${existing}): left as it is; \`cutover accessory reboot ${a.name}\` replaces it`)
    return 'exists'
  }
  const app = { service: ctx.config.service, destination: ctx.config.destination ?? null }
  const home = await homeOf(ctx.host)
  const spec = accessorySpec(a, app, home)
  const dirs = a.directories.map((d) => acc.accessoryHostDirectory(home, a.serviceName, d.host))
  if (dirs.length > 0) await must(ctx, acc.makeDirectories(dirs), `create the directories ${dirs.join(', ')}`)
  for (const f of prepared.files) {
    const path = acc.accessoryFilePath(home, a.serviceName, f.container)
    ctx.log.info(`upload ${f.local}${f.rendered ? ' (rendered)' : ''} to ${path} (mode ${f.mode.toString(8)})`)
    await ctx.host.upload(f.content, path, f.mode)
  }
  // Always written, even empty, and always 0600: the container is run with --env-file either way (as Kamal does).
  await ctx.host.upload(prepared.envFile, spec.envFile, 0o600)
  if (a.network === NETWORK) await must(ctx, docker.ensureNetwork(NETWORK), `create the ${NETWORK} network`)
  if (ctx.registry) {
    ctx.log.info(`pull ${a.image} (logged in to ${ctx.registry.server})`)
    await must(ctx, docker.loginAndPull(ctx.registry.server, ctx.registry.username, a.image), `pull ${a.image}`, { stdin: ctx.registry.password, timeoutMs: 600_000 })
  }
  ctx.log.info(`start ${a.serviceName} (${a.image})`)
  await must(ctx, acc.run(spec), `docker run ${a.serviceName}`, { timeoutMs: 600_000 })
  return 'booted'
}

/** Stop and remove the container, if any. */
async function dropContainer(ctx: AccessoryHostContext, a: AccessoryConfig): Promise<boolean> {
  const existing = await accessoryState(ctx.host, a.serviceName)
  if (existing === null) return false
  ctx.log.info(`stop and remove ${a.serviceName}`)
  if (existing === 'running') await must(ctx, acc.stop(a.serviceName), `stop ${a.serviceName}`)
  await must(ctx, acc.removeContainer(a.serviceName), `remove ${a.serviceName}`)
  return true
}

/** Reboot: NOT zero-downtime. The old container is stopped and removed before the new one starts. */
export async function rebootOnHost(ctx: AccessoryHostContext, a: AccessoryConfig, prepared: PreparedAccessory): Promise<'booted'> {
  ctx.log.warn(`rebooting ${a.serviceName} is not zero-downtime: it is down from its stop until the new container has started`)
  await dropContainer(ctx, a)
  await bootOnHost(ctx, a, prepared)
  return 'booted'
}

/** Remove: the container, its image (unless something else uses it), its directory and its env file. */
export async function removeOnHost(ctx: AccessoryHostContext, a: AccessoryConfig): Promise<'removed' | 'absent'> {
  const had = await dropContainer(ctx, a)
  const home = await homeOf(ctx.host)
  await must(ctx, acc.removeImage(a.image), `remove the image ${a.image}`)
  const envFile = acc.accessoryEnvFile({ service: ctx.config.service, destination: ctx.config.destination ?? null }, a.name)
  await must(ctx, acc.removeFiles(home, a.serviceName, envFile), `remove ~/${a.serviceName} and ${envFile}`)
  if (!had) ctx.log.info(`${a.serviceName} was not there; its files are gone too`)
  return had ? 'removed' : 'absent'
}

/** Read-only and one-off commands: their output, for the caller to print under the host's name. */
export async function outputOnHost(ctx: AccessoryHostContext, argv: Argv, what: string): Promise<{ code: number; output: string }> {
  const r = await ctx.host.exec(argv, { timeoutMs: 600_000 })
  const output = `${r.stdout}${r.stderr}`
  if (r.code !== 0 && output.trim() === '') throw new Error(`${ctx.host.name}: ${what} failed with exit code ${r.code}`)
  return { code: r.code, output }
}
