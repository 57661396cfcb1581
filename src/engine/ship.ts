import {
  buildImage, createGit, resolveVersion, type BuildInput, type BuildReport, type BuildRunDeps, type BuildRunRequest, type ImageBuilderOptions, type ResolvedVersion, type VersionRequest,
} from '../image/index.js'
import { waitForChecks, type GateDeps, type GateOptions, type GateResult } from '../gate/index.js'
import { NO_HOOKS } from '../hooks/lifecycle.js'
import type { Logger } from '../log.js'
import { versioned, type DeployRequest, type RunHooks } from './request.js'
import type { DeployResult } from './result.js'
import { deployService } from './service.js'
import type { Session } from './session.js'
import { checkTargets } from './targets.js'

/**
 * How ship runs, besides what it is asked (the DeployRequest): where each phase logs, the local
 * build's settings, and the hooks that deployService passes on to deploy. Given by the edge.
 */
export interface ShipRun extends RunHooks {
  /** Logs per phase: `gate` (only when there is a gate), `build` (not for a named version without build), `deploy`. */
  phase: (name: 'gate' | 'build' | 'deploy') => PhaseLog
  /** The local build's settings (cache dir, buildx builder, the Action's cache restore). */
  builder: Omit<ImageBuilderOptions, 'log' | 'signal'>
  /** Stops the gate's wait and the build (the Action: the step is cancelled). */
  signal?: AbortSignal | undefined
}

/** The parts ship drives, injectable so unit tests can stand in for GitHub, git, docker and the hosts. */
export interface ShipDeps {
  waitForChecks: (options: GateOptions, deps: GateDeps) => Promise<GateResult>
  buildImage: (request: BuildRunRequest, deps: BuildRunDeps) => Promise<BuildReport>
  resolveVersion: (request: VersionRequest) => Promise<ResolvedVersion>
  deployService: typeof deployService
}

const realDeps: ShipDeps = {
  waitForChecks,
  buildImage,
  resolveVersion: (request) => resolveVersion(createGit(), request),
  deployService,
}

/**
 * A phase's logger. When it has `end`, ship calls it once that part has settled (the gate
 * answered, the build finished or failed), so the Action can close the phase's log group then
 * and let the next one stream, instead of holding every line until the run ends.
 */
export type PhaseLog = Logger & { end?: () => void }

export interface ShipResult {
  result: DeployResult
  build?: BuildReport
  gate?: GateResult
  version: string
}

/** The gate said no (failed or timed out): the run stops before any host is touched. */
export class GateFailedError extends Error {
  override name = 'GateFailedError'
  constructor(readonly gate: GateResult) {
    super(gate.summary)
  }
}

/** What the build layer needs from the resolved config. */
export function buildInput(session: Session): BuildInput {
  const { config, secrets } = session.options
  return {
    service: config.service,
    image: { name: config.image },
    registry: session.registryInput(),
    builder: {
      ...(config.builder.context !== undefined ? { context: config.builder.context } : {}),
      dockerfile: config.builder.dockerfile,
      ...(config.builder.target !== undefined ? { target: config.builder.target } : {}),
      args: config.builder.args,
      secrets: config.builder.secrets,
      arch: config.builder.arch,
      ...(config.builder.cache ? { cache: config.builder.cache } : {}),
    },
    secretValues: Object.fromEntries(config.builder.secrets.map((name) => [name, secrets.get(name)])),
    // A preview's config says tagsLatest: false (engine/preview.ts): its build leaves production's latest alone.
    ...(config.tagsLatest === false ? { pushLatest: false } : {}),
  }
}

/**
 * gate ‖ build, then deploy. The gate runs while the image builds and blocks only the step that
 * touches hosts: a red gate stops the run at once, even mid-build; a build that fails stops it
 * too. Hosts are touched only when both are done and green.
 */
export async function ship(session: Session, req: DeployRequest, run: ShipRun, deps: ShipDeps = realDeps): Promise<ShipResult> {
  // A mistake in the config or the flags fails now, before the gate waits or anything is built and pushed.
  const { config, secrets } = session.options
  checkTargets({ config, secrets, version: req.version, onlyHosts: req.onlyHosts, onlyRoles: req.onlyRoles })
  // Kamal fires pre-connect before the build (a remote builder or pre-build may need it); its
  // KAMAL_VERSION is the version about to be built, resolved here only when the hook exists. The
  // build then uses that same version (an uncommitted build's random suffix is drawn once).
  const hooks = run.kamalHooks ?? NO_HOOKS
  let version = req.version
  await hooks.preConnect(async () => (version ??= (await deps.resolveVersion({ appDir: req.appDir, ref: req.ref, context: req.skipBuild ? undefined : config.builder.context })).version))

  // When one side fails, the other is stopped: a red gate cancels the build (and its push), and a
  // failed build stops the gate's polling, which could otherwise keep the process alive until
  // the gate's timeout.
  const stop = new AbortController()
  const signal = run.signal ? AbortSignal.any([run.signal, stop.signal]) : stop.signal
  const gateLog = req.gate ? run.phase('gate') : null
  const gate = req.gate && gateLog ? deps.waitForChecks(req.gate, { signal, logger: gateLog }) : null
  const gateVerdict = gate?.then((g) => {
    if (g.status !== 'passed') throw new GateFailedError(g)
    return g
  })
  // Also the listener without which a gate that fails while the build still runs would be an unhandled rejection.
  gateVerdict?.then(() => gateLog?.end?.(), () => gateLog?.end?.())

  const shipped = { session, req, run, deps, stop }
  // Nothing to build or resolve (a rollback to a named version): no build phase at all.
  if (req.skipBuild && version) return deployShipped(shipped, { version }, gateVerdict)
  const buildLog = run.phase('build')
  const built = (async (): Promise<{ version: string; report?: BuildReport }> => {
    if (req.skipBuild) {
      const resolved = await deps.resolveVersion({ appDir: req.appDir, ref: req.ref, version: undefined, context: undefined })
      buildLog.info(`not building: deploying ${resolved.version} as the registry has it`)
      return { version: resolved.version }
    }
    const report = await deps.buildImage(
      { input: buildInput(session), appDir: req.appDir, ...(req.ref ? { ref: req.ref } : {}), ...(version ? { version } : {}) },
      // Kamal's pre-build: only once the registry check says the image is really built.
      { ...run.builder, log: buildLog, signal, beforeBuild: (v) => hooks.preBuild(v) },
    )
    return { version: report.version.version, report }
  })()
  built.then(() => buildLog.end?.(), () => buildLog.end?.())
  return deployShipped(shipped, built, gateVerdict)
}

interface Shipping {
  session: Session
  req: DeployRequest
  run: ShipRun
  deps: ShipDeps
  stop: AbortController
}

/** Once the image is ready and the gate green, deploy it; if either fails, stop the other and fail. */
async function deployShipped(
  { session, req, run, deps, stop }: Shipping,
  image: { version: string; report?: BuildReport } | Promise<{ version: string; report?: BuildReport }>,
  gateVerdict: Promise<GateResult> | undefined,
): Promise<ShipResult> {
  let both: [{ version: string; report?: BuildReport }, GateResult | undefined]
  try {
    both = gateVerdict ? await Promise.all([image, gateVerdict]) : [await image, undefined]
  } catch (e) {
    stop.abort(new Error(e instanceof GateFailedError ? 'the CI gate failed' : 'the build failed'))
    throw e
  }
  const [{ version, report }, gateResult] = both
  // `run` carries the edge's hooks (onLock, hostLog, pauseAt, kamalHooks) on down as they are.
  const result = await deps.deployService(session, versioned(req, version), run.phase('deploy'), run)
  return { result, version, ...(report ? { build: report } : {}), ...(gateResult ? { gate: gateResult } : {}) }
}
