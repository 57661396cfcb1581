import * as bootstrap from '../argv/bootstrap.js'
import { RUN_DIRECTORY } from '../argv/names.js'
import type { Logger } from '../log.js'
import { fanOut } from '../remote/fan-out.js'
import type { RemoteHost } from '../remote/host.js'
import { withLock, type LockRequest } from './lock.js'

export interface BootstrapDeps {
  pool: { host(name: string): Promise<RemoteHost>; redact?: (text: string) => string }
  logger: Logger
  /** Kamal's docker-setup hook: fired once, under the lock, after every host has Docker. */
  dockerSetup: () => Promise<void>
  /** How often a long install says it is still running. */
  progressEveryMs?: number
}

export interface BootstrapHostResult {
  host: string
  action: 'untouched' | 'installed' | 'failed'
  /** curl or wget, when the install script was fetched. */
  fetchedWith?: 'curl' | 'wget'
  error?: string
  durationMs: number
}

export interface BootstrapResult {
  ok: boolean
  hosts: BootstrapHostResult[]
  dockerSetup: 'fired' | 'not-fired'
}

/** A Docker install script takes minutes on a real host; beyond this it is stuck. */
const INSTALL_TIMEOUT_MS = 20 * 60_000

/**
 * `cutover server bootstrap` (Kamal's `server bootstrap`): under the deploy lock, every host without
 * Docker gets it from the install script at `installUrl`; a host with a working Docker is left
 * exactly as it is. Every host is tried, and when one fails, the run fails naming each failed
 * host and docker-setup does not fire (Kamal raises before its hook too).
 */
export async function bootstrapServers(hosts: readonly string[], installUrl: string, lock: LockRequest, deps: BootstrapDeps): Promise<BootstrapResult> {
  const redact = deps.pool.redact ?? ((s: string) => s)
  return withLock(lock, { pool: deps.pool, logger: deps.logger, redact }, async () => {
    const outcomes = await fanOut(
      hosts.map((name) => ({ name })),
      deps.logger,
      async ({ name }, log) => bootstrapHost(await deps.pool.host(name), installUrl, log, deps.progressEveryMs ?? 10_000),
    )
    const results: BootstrapHostResult[] = outcomes.map((o) =>
      o.ok ? { host: o.host, ...o.value, durationMs: o.durationMs } : { host: o.host, action: 'failed', error: redact(o.error.message), durationMs: o.durationMs },
    )
    const ok = results.every((r) => r.action !== 'failed')
    if (ok) await deps.dockerSetup()
    return { ok, hosts: results, dockerSetup: ok ? 'fired' : 'not-fired' }
  })
}

/** One host: look, decide (argv/bootstrap.ts: decide), install when needed, look again. Throws with the host named. */
export async function bootstrapHost(host: RemoteHost, installUrl: string, log: Logger, progressEveryMs = 10_000): Promise<{ action: 'untouched' | 'installed'; fetchedWith?: 'curl' | 'wget' }> {
  const look = async () => {
    const r = await host.exec(bootstrap.probe(), { timeoutMs: 60_000 })
    if (r.code !== 0) throw new Error(`${host.name}: could not inspect the host (exit ${r.code}): ${r.stderr.trim()}`)
    return bootstrap.parseProbe(r.stdout)
  }
  const before = await look()
  const decision = bootstrap.decide(before, installUrl)
  if (decision.kind === 'fail') throw new Error(`${host.name}: ${decision.message}`)
  const ensureRunDirectory = async () => {
    const r = await host.exec(['mkdir', '-p', RUN_DIRECTORY], { timeoutMs: 30_000 })
    if (r.code !== 0) throw new Error(`${host.name}: could not create ~/${RUN_DIRECTORY}: ${r.stderr.trim()}`)
  }
  if (decision.kind === 'untouched') {
    log.info('Docker is installed and answers: left untouched')
    await ensureRunDirectory()
    return { action: 'untouched' }
  }
  log.info(`Docker is missing: installing it with the script at ${installUrl} (fetched with ${decision.via === 'curl' ? 'curl' : 'wget, as curl is not there'})`)
  const started = Date.now()
  const ticker = setInterval(() => log.info(`installing Docker: still running (${Math.round((Date.now() - started) / 1000)}s)`), progressEveryMs)
  let r
  try {
    r = await host.exec(bootstrap.install(installUrl), { timeoutMs: INSTALL_TIMEOUT_MS })
  } finally {
    clearInterval(ticker)
  }
  const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-10).join('\n')
  if (r.code === bootstrap.FETCH_FAILED_EXIT) throw new Error(`${host.name}: could not fetch the Docker install script ${installUrl} with curl or wget: ${tail}`)
  if (r.code !== 0) throw new Error(`${host.name}: the Docker install script ${installUrl} failed with exit code ${r.code}; its last output:\n${tail}`)
  const via = bootstrap.fetchedWith(r.stdout)
  const after = await look()
  if (!after.docker) throw new Error(`${host.name}: the install script ${installUrl} exited 0 but no docker command is there afterwards`)
  if (!after.daemon && after.uid !== 0 && !after.inDockerGroup) throw new Error(`${host.name}: Docker is installed now, but ${after.user} may not use it (not root, not in the docker group); ${bootstrap.groupFix(after.user)}`)
  log.info(`Docker installed (script fetched with ${via ?? 'an unknown tool'}) in ${Math.round((Date.now() - started) / 1000)}s`)
  await ensureRunDirectory()
  return { action: 'installed', ...(via ? { fetchedWith: via } : {}) }
}
