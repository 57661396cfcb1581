import { NO_HOOKS } from '../hooks/lifecycle.js'
import type { Logger } from '../log.js'
import { deploy, dryRun, type ConvergeRequest, type DryRunHost } from './deploy.js'
import type { Hosts } from './hosts.js'
import type { RunHooks, VersionedRequest } from './request.js'
import type { DeployResult } from './result.js'
import { latestTagName } from './latest-tag.js'
import { nonce, VersionMissingError, type Session } from './session.js'
import { checkTargets, configApp, configHosts, hostTargets, primaryHost } from './targets.js'
import { retainedVersions, versionNames } from './versions.js'

/** Resolve what to deploy (the registry's digest of image:version, once) into per-host targets. */
export async function convergeRequest(session: Session, req: VersionedRequest, unbuiltFrom?: string): Promise<ConvergeRequest> {
  const { config, secrets } = session.options
  // Config and flag mistakes first: they need no registry round trip to be found.
  checkTargets({ config, secrets, version: req.version, onlyHosts: req.onlyHosts, onlyRoles: req.onlyRoles })
  // Not built yet (a dry run only): a stand-in id; the diff's image line says what it will be built from.
  const imageId = unbuiltFrom ? `unbuilt:${unbuiltFrom}` : await session.imageDigest(req.version, async () => versionNames(await retainedVersions(config, session)))
  const at = new Date().toISOString()
  const built = hostTargets({ config, secrets, version: req.version, imageId, run: { performer: req.performer, at, nonce: nonce() }, ...(req.onlyHosts ? { onlyHosts: req.onlyHosts } : {}), onlyRoles: req.onlyRoles, reboot: req.reboot })
  const targets = unbuiltFrom ? built.map((t) => ({ ...t, roles: t.roles.map((r) => ({ ...r, unbuiltFrom })) })) : built
  return {
    version: req.version,
    image: `${config.repository}:${req.version}`,
    targets,
    primaryRole: config.primaryRole,
    boot: { limit: config.boot.limit, waitS: config.boot.wait },
    ...(config.tagsLatest === false ? {} : { latestTag: `${config.repository}:${latestTagName(config.destination)}` }),
    fleetRollback: config.verify.fleetRollback,
    ...(req.allowUnreachable ? { allowUnreachable: true } : {}),
    lock: {
      host: primaryHost(config),
      app: configApp(config),
      details: { lockedBy: req.performer, at, version: req.version, message: req.message ?? `${req.reboot ? 'Rebooting' : 'Deploying'} ${req.version}`, ...(req.run ? { run: req.run } : {}) },
      staleAfterS: config.lock.staleAfter,
      ...(req.breakStale ? { breakStale: true } : {}),
      ...(req.lockWaitS ? { waitS: req.lockWaitS } : {}),
    },
  }
}

/**
 * One version of the app onto its hosts: resolve the targets, then converge (deploy.ts). The hooks
 * are the edge's, passed on as they are; Kamal's post-deploy fires here, after deploy() has
 * released the lock.
 */
export async function deployService(session: Session, req: VersionedRequest, logger: Logger, hooks: RunHooks = {}): Promise<DeployResult> {
  const kamal = hooks.kamalHooks ?? NO_HOOKS
  kamal.setVersion(req.version)
  // Before the first connection (a no-op when ship already fired it before the build).
  await kamal.preConnect()
  const pool = dialEarly(session, req.onlyHosts)
  const request = await convergeRequest(session, req)
  const result = await deploy(request, { pool, logger, redact: session.redact, pauseAt: hooks.pauseAt, onLock: hooks.onLock, hostLog: hooks.hostLog, kamalHooks: kamal })
  await kamal.postDeploy(result.hosts.every((h) => h.action !== 'failed'))
  return result
}

export async function dryRunService(session: Session, req: VersionedRequest & { commit?: string | undefined }, logger: Logger): Promise<DryRunHost[]> {
  const pool = dialEarly(session, req.onlyHosts)
  const request = await convergeRequest(session, req).catch((e: unknown) => {
    // `--dry-run` before the build: plan against the commit instead of failing.
    if (!(e instanceof VersionMissingError) || !req.commit) throw e
    logger.info(`${e.version} is not in the registry yet: planning it as built from ${req.commit}`)
    return convergeRequest(session, req, req.commit)
  })
  return dryRun(request, { pool, logger, redact: session.redact })
}

/**
 * Dials every host while the registry is asked for the image's digest: both are round trips and
 * neither needs the other, so an unchanged deploy waits for the slower one, not for their sum.
 * The first ask for a host gets its early dial, failure included (so a host that cannot be
 * reached is tried once per run, not twice); later asks go to the session's pool, which keeps
 * the connection. When the registry check throws, the caller's session.close() ends the dials.
 */
export function dialEarly(session: Pick<Session, 'options' | 'host'> & { maxConnections?: number }, onlyHosts?: readonly string[]): Hosts {
  const { config } = session.options
  const only = onlyHosts?.length ? onlyHosts : null
  // Only as many as the connection bound lets open at once: a dial beyond it would wait for a slot,
  // then give it up again before its host is observed (remote/bound.ts).
  const names = configHosts(config).map((h) => h.host).filter((h) => !only || only.includes(h)).slice(0, session.maxConnections ?? Infinity)
  const early = new Map(names.map((h) => [h, session.host(h)] as const))
  for (const dial of early.values()) dial.catch(() => undefined) // reported when the host is first used
  return {
    host(target) {
      const dial = early.get(target)
      early.delete(target)
      return dial ?? session.host(target)
    },
  }
}
