import { mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { buildkitdContainer, buildxBuilderName, docker, stateDir } from './layout.js'
import { StepError, run, tryRun, waitFor } from './sh.js'

/**
 * A Docker client configuration directory of the testbed's own (use it as DOCKER_CONFIG):
 * - buildx installed as a CLI plugin (cli-plugins/docker-buildx), so `docker buildx` works
 *   there, while the machine's own clients keep having no buildx (the fallback path stays real);
 * - the `remote` builder `cutover-testbed` (buildkitd on the testbed network) registered, but not
 *   made current: the current builder stays the engine's own (`docker` driver), as on a CI
 *   runner before docker/setup-buildx-action;
 * - no registry login: whoever uses it logs in (tests copy it first, see test/e2e).
 */
export const buildxDockerConfig = join(stateDir, 'buildx-docker-config')

function ensureSymlink(target: string, path: string): void {
  try {
    if (readlinkSync(path) === target) return
  } catch {
    // absent, or not a symlink: replaced below
  }
  rmSync(path, { force: true })
  symlinkSync(target, path)
}

export async function ensureBuildxConfig(buildxBin: string, endpoint: string): Promise<string> {
  mkdirSync(join(buildxDockerConfig, 'cli-plugins'), { recursive: true, mode: 0o700 })
  ensureSymlink(buildxBin, join(buildxDockerConfig, 'cli-plugins', 'docker-buildx'))
  const env = { ...process.env, DOCKER_CONFIG: buildxDockerConfig }
  const buildx = (...args: string[]) => [docker, 'buildx', ...args]

  const seen = await tryRun(buildx('inspect', buildxBuilderName), { env, timeoutMs: 60_000 })
  const escaped = endpoint.replace(/[.]/g, '\\.')
  const registered = seen.code === 0 && /^Driver:\s+remote$/m.test(seen.stdout) && new RegExp(`^Endpoint:\\s+${escaped}$`, 'm').test(seen.stdout)
  if (!registered) {
    await tryRun(buildx('rm', buildxBuilderName), { env, timeoutMs: 60_000 })
    await run(`registering the buildx builder ${buildxBuilderName}`, buildx('create', '--name', buildxBuilderName, '--driver', 'remote', endpoint), { env, timeoutMs: 60_000 })
  }
  // The builder answers through buildx (not only its TCP port): BuildKit's version is reported.
  let last = ''
  const ready = await waitFor(async () => {
    const r = await tryRun(buildx('inspect', '--bootstrap', buildxBuilderName), { env, timeoutMs: 60_000 })
    last = (r.stderr || r.stdout).trim()
    return r.code === 0 && /^Status:\s+running$/m.test(r.stdout)
  }, 20, 500)
  if (!ready) throw new StepError(`connecting buildx to ${buildxBuilderName} (${endpoint})`, last, `see \`docker logs ${buildkitdContainer}\``)
  return buildxDockerConfig
}
