import { buildImage, createGit, resolveVersion, type BuildInput, type BuildReport, type ImageBuilderOptions } from '../image/index.js'
import { waitForChecks, type GateDeps, type GateOptions, type GateResult } from '../gate/index.js'
import { NO_HOOKS } from '../hooks/lifecycle.js'
import type { Logger } from '../log.js'
import type { DeployResult } from './result.js'
import { deployService, type ServiceDeployRequest } from './service.js'
import type { Session } from './session.js'
import { checkTargets } from './targets.js'

export interface ShipRequest {
  session: Session
  /** The app's directory (holding config/deploy.yml): its git repository is what gets built. */
  appDir: string
  /** Build this commit instead of HEAD (`--ref`, or a PR's head). */
  ref?: string | undefined
  /** Tag to deploy; default: the commit SHA. */
  version?: string | undefined
  /** Deploy image:version as the registry has it: no build, no push, no local login (Kamal's --skip-push too). */
  skipBuild: boolean
  /** The CI gate, run while the build runs; undefined: no gate. */
  gate?: { options: GateOptions; deps?: Omit<GateDeps, 'logger'> } | undefined
  builder: Omit<ImageBuilderOptions, 'log'>
  deploy: Omit<ServiceDeployRequest, 'session' | 'version'>
  /** Logs per phase: `gate` (only when there is a gate), `build`, `deploy`. */
  phase: (name: 'gate' | 'build' | 'deploy') => PhaseLog
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
  }
}

/**
 * gate ‖ build, then deploy. The gate runs while the image builds and blocks only the step that
 * touches hosts: a red gate stops the run at once, even mid-build; a build that fails stops it
 * too. Hosts are touched only when both are done and green.
 */
export async function ship(req: ShipRequest): Promise<ShipResult> {
  // A mistake in the config or the flags fails now, before the gate waits or anything is built and pushed.
  const { config, secrets } = req.session.options
  checkTargets({ config, secrets, version: req.version, onlyHosts: req.deploy.onlyHosts })
  // Kamal fires pre-connect before the build (a remote builder or pre-build may need it); its
  // KAMAL_VERSION is the version about to be built, resolved here when the hook exists.
  const hooks = req.deploy.hooks ?? NO_HOOKS
  let version = req.version
  await hooks.preConnect(async () => (version ??= (await resolveVersion(createGit(), { appDir: req.appDir, ref: req.ref, context: req.skipBuild ? undefined : config.builder.context })).version))

  // When one side fails, the other is stopped: a red gate cancels the build (and its push), and a
  // failed build stops the gate's polling, which could otherwise keep the process alive until
  // the gate's timeout.
  const stop = new AbortController()
  const gateSignal = req.gate?.deps?.signal ? AbortSignal.any([req.gate.deps.signal, stop.signal]) : stop.signal
  const gateLog = req.gate ? req.phase('gate') : null
  const gate = req.gate && gateLog ? waitForChecks(req.gate.options, { ...req.gate.deps, signal: gateSignal, logger: gateLog }) : null
  const gateVerdict = gate?.then((g) => {
    if (g.status !== 'passed') throw new GateFailedError(g)
    return g
  })
  // Also the listener without which a gate that fails while the build still runs would be an unhandled rejection.
  gateVerdict?.then(() => gateLog?.end?.(), () => gateLog?.end?.())

  // Nothing to build or resolve (a rollback to a named version): no build phase at all.
  if (req.skipBuild && version) return deployShipped(req, { version }, gateVerdict, stop)
  const buildLog = req.phase('build')
  const built = (async (): Promise<{ version: string; report?: BuildReport }> => {
    if (req.skipBuild) {
      const resolved = await resolveVersion(createGit(), { appDir: req.appDir, ref: req.ref, version: undefined, context: undefined })
      buildLog.info(`not building: deploying ${resolved.version} as the registry has it`)
      return { version: resolved.version }
    }
    const report = await buildImage(
      { input: buildInput(req.session), appDir: req.appDir, ...(req.ref ? { ref: req.ref } : {}), ...(version ? { version } : {}) },
      { ...req.builder, log: buildLog, signal: req.builder.signal ? AbortSignal.any([req.builder.signal, stop.signal]) : stop.signal, beforeBuild: (v) => hooks.preBuild(v) },
    )
    return { version: report.version.version, report }
  })()
  built.then(() => buildLog.end?.(), () => buildLog.end?.())
  return deployShipped(req, built, gateVerdict, stop)
}

/** Once the image is ready and the gate green, deploy it; if either fails, stop the other and fail. */
async function deployShipped(
  req: ShipRequest,
  image: { version: string; report?: BuildReport } | Promise<{ version: string; report?: BuildReport }>,
  gateVerdict: Promise<GateResult> | undefined,
  stop: AbortController,
): Promise<ShipResult> {
  let both: [{ version: string; report?: BuildReport }, GateResult | undefined]
  try {
    both = gateVerdict ? await Promise.all([image, gateVerdict]) : [await image, undefined]
  } catch (e) {
    stop.abort(new Error(e instanceof GateFailedError ? 'the CI gate failed' : 'the build failed'))
    throw e
  }
  const [{ version, report }, gateResult] = both
  const result = await deployService({ ...req.deploy, session: req.session, version }, req.phase('deploy'))
  return { result, version, ...(report ? { build: report } : {}), ...(gateResult ? { gate: gateResult } : {}) }
}
