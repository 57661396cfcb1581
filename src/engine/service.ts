import { NO_HOOKS, type DeployHooks } from '../hooks/lifecycle.js'
import type { Logger } from '../log.js'
import { deploy, dryRun, type ConvergeRequest, type DryRunHost } from './deploy.js'
import type { Hosts } from './hosts.js'
import type { PauseAt } from './pause.js'
import type { DeployResult } from './result.js'
import { nonce, type Session } from './session.js'
import { checkTargets, configApp, configHosts, hostTargets, primaryHost } from './targets.js'
import { retainedVersions, versionNames } from './versions.js'

export interface ServiceDeployRequest {
  session: Session
  version: string
  performer: string
  /** The CI run (URL) recorded in the lock's `Run:` line, so a post step can tell it is ours. */
  run?: string | undefined
  message?: string | undefined
  onlyHosts?: readonly string[] | undefined
  pauseAt?: PauseAt | undefined
  onLock?: ((held: { release: () => Promise<void> } | null) => void) | undefined
  hostLog?: ((host: string) => Logger) | undefined
  now?: () => Date
  /** Kamal's hooks (src/hooks: hooksFor); default none. */
  hooks?: DeployHooks | undefined
}

/** Resolve what to deploy (the registry's digest of image:version, once) into per-host targets. */
export async function deployRequest(req: ServiceDeployRequest): Promise<ConvergeRequest> {
  const { config, secrets } = req.session.options
  // Config and flag mistakes first: they need no registry round trip to be found.
  checkTargets({ config, secrets, version: req.version, onlyHosts: req.onlyHosts })
  const imageId = await req.session.imageDigest(req.version, async () => versionNames(await retainedVersions(config, req.session)))
  const at = (req.now?.() ?? new Date()).toISOString()
  const targets = hostTargets({ config, secrets, version: req.version, imageId, run: { performer: req.performer, at, nonce: nonce() }, ...(req.onlyHosts ? { onlyHosts: req.onlyHosts } : {}) })
  return {
    version: req.version,
    image: `${config.repository}:${req.version}`,
    targets,
    primaryRole: config.primaryRole,
    lock: {
      host: primaryHost(config),
      app: configApp(config),
      details: { lockedBy: req.performer, at, version: req.version, message: req.message ?? `Deploying ${req.version}`, ...(req.run ? { run: req.run } : {}) },
    },
  }
}

export async function deployService(req: ServiceDeployRequest, logger: Logger): Promise<DeployResult> {
  const hooks = req.hooks ?? NO_HOOKS
  hooks.setVersion(req.version)
  // Before the first connection (a no-op when ship already fired it before the build).
  await hooks.preConnect()
  const pool = dialEarly(req)
  const request = await deployRequest(req)
  const result = await deploy(request, { pool, logger, redact: req.session.redact, pauseAt: req.pauseAt, onLock: req.onLock, hostLog: req.hostLog, hooks })
  // The lock is released by now, as Kamal's post-deploy expects.
  await hooks.postDeploy(result.hosts.every((h) => h.action !== 'failed'))
  return result
}

export async function dryRunService(req: ServiceDeployRequest, logger: Logger): Promise<DryRunHost[]> {
  const pool = dialEarly(req)
  const request = await deployRequest(req)
  return dryRun(request, { pool, logger, redact: req.session.redact })
}

/**
 * Dials every host while the registry is asked for the image's digest: both are round trips and
 * neither needs the other, so an unchanged deploy waits for the slower one, not for their sum.
 * The first ask for a host gets its early dial, failure included (so a host that cannot be
 * reached is tried once per run, not twice); later asks go to the session's pool, which keeps
 * the connection. When the registry check throws, the caller's session.close() ends the dials.
 */
export function dialEarly(req: ServiceDeployRequest): Hosts {
  const { config } = req.session.options
  const only = req.onlyHosts?.length ? req.onlyHosts : null
  const names = configHosts(config).map((h) => h.host).filter((h) => !only || only.includes(h))
  const early = new Map(names.map((h) => [h, req.session.host(h)] as const))
  for (const dial of early.values()) dial.catch(() => undefined) // reported when the host is first used
  return {
    host(target) {
      const dial = early.get(target)
      early.delete(target)
      return dial ?? req.session.host(target)
    },
  }
}
