import type { Logger } from '../log.js'
import { deploy, dryRun, type DeployRequest, type DryRunHost } from './deploy.js'
import type { PauseAt } from './pause.js'
import type { DeployResult } from './result.js'
import { nonce, type Session } from './session.js'
import { hostTargets, primaryHost } from './targets.js'
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
}

/** Resolve what to deploy (the registry's digest of image:version, once) into per-host targets. */
export async function deployRequest(req: ServiceDeployRequest): Promise<DeployRequest> {
  const { config, secrets } = req.session.options
  const imageId = await req.session.imageDigest(req.version, async () => versionNames(await retainedVersions(config, req.session)))
  const at = (req.now?.() ?? new Date()).toISOString()
  const targets = hostTargets({ config, secrets, version: req.version, imageId, run: { performer: req.performer, at, nonce: nonce() }, ...(req.onlyHosts ? { onlyHosts: req.onlyHosts } : {}) })
  return {
    version: req.version,
    image: `${config.repository}:${req.version}`,
    targets,
    lock: {
      host: primaryHost(config),
      app: { service: config.service, destination: config.destination ?? null },
      details: { lockedBy: req.performer, at, version: req.version, message: req.message ?? `Deploying ${req.version}`, ...(req.run ? { run: req.run } : {}) },
    },
  }
}

export async function deployService(req: ServiceDeployRequest, logger: Logger): Promise<DeployResult> {
  const request = await deployRequest(req)
  return deploy(request, { pool: req.session, logger, redact: req.session.redact, pauseAt: req.pauseAt, onLock: req.onLock, hostLog: req.hostLog })
}

export async function dryRunService(req: ServiceDeployRequest, logger: Logger): Promise<DryRunHost[]> {
  const request = await deployRequest(req)
  return dryRun(request, { pool: req.session, logger, redact: req.session.redact })
}
