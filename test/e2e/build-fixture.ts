import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Argv } from '../../src/argv/shell-join.js'
import { buildImage, type BuildInput, type BuildReport, type BuildRunDeps } from '../../src/image/index.js'
import { execLocal, type LocalExec } from '../../src/local-exec.js'
import { memoryLogger } from '../../src/log.js'
import type { RemoteHost } from '../../src/remote/index.js'
import { git, makeRepo, tempDir, write } from '../unit/image/git-fixture.js'
import { pool, testbed } from './testbed.js'

/**
 * What the build e2e tests share: a git repository holding examples/hello (copied in), a private
 * DOCKER_CONFIG, an exec that records every command and its output, and a way to look inside a
 * pushed image from a testbed host. Every test run pushes under its own repository
 * (`e2e/<run id>/…`), so no test depends on another run's leftovers in the registry.
 */
export const runId = `${Date.now().toString(36)}-${process.pid}`
export const registryPassword = testbed.registry.password

const example = resolve(import.meta.dirname, '../../examples/hello')

/**
 * The app in the test repository: examples/hello as it is, plus a `COPY . /ctx/` so a test can
 * see exactly which files of the build context reached the image, and a .dockerignore.
 * It lives in a subdirectory (apps/hello), as in a monorepo, so the build context is a
 * directory inside the clone, not its top.
 */
export const APP = 'apps/hello'
const dockerfile = `${readFileSync(join(example, 'Dockerfile'), 'utf8').trimEnd()}\nCOPY . /ctx/\n`

export interface Recorded {
  argv: Argv
  code: number
  stdout: string
  stderr: string
}

export interface World {
  root: string
  repo: string
  appDir: string
  /** cutover's own directory for this test file (clones, local caches). */
  cacheDir: string
  dockerConfig: string
  exec: LocalExec
  calls: Recorded[]
  commit(message: string, files?: Record<string, string>): string
  remove(): void
}

/** A private DOCKER_CONFIG: with buildx (the plugin and the testbed's remote builder) or without. */
export function dockerConfig(dir: string, withBuildx: boolean): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (withBuildx) {
    mkdirSync(join(dir, 'cli-plugins'))
    symlinkSync(testbed.builder.buildx.path, join(dir, 'cli-plugins', 'docker-buildx'))
    cpSync(join(testbed.builder.dockerConfig, 'buildx'), join(dir, 'buildx'), { recursive: true })
  }
  return dir
}

export function world(options: { buildx: boolean }): World {
  const tmp = tempDir('cutover-e2e-build-')
  const repo = join(tmp.path, 'repo')
  makeRepo(repo, {
    [`${APP}/Dockerfile`]: dockerfile,
    [`${APP}/config/deploy.yml`]: readFileSync(join(example, 'config/deploy.yml'), 'utf8'),
    [`${APP}/.dockerignore`]: 'notes/\n',
    [`${APP}/notes/README`]: 'tracked, but .dockerignore keeps it out of the image\n',
    [`${APP}/message.txt`]: 'first\n',
    '.gitignore': '*.env\n',
  })
  const config = dockerConfig(join(tmp.path, 'docker-config'), options.buildx)
  const calls: Recorded[] = []
  const exec: LocalExec = async (argv, opts = {}) => {
    const result = await execLocal(argv, { ...opts, env: { DOCKER_CONFIG: config, ...opts.env } })
    calls.push({ argv: [...argv], ...result })
    return result
  }
  return {
    root: tmp.path,
    repo,
    appDir: join(repo, APP),
    cacheDir: join(tmp.path, 'cutover-cache'),
    dockerConfig: config,
    exec,
    calls,
    commit: (message, files = {}) => {
      for (const [path, content] of Object.entries(files)) write(repo, path, content)
      git(repo, 'add', '--all')
      git(repo, 'commit', '--quiet', '--allow-empty', '-m', message)
      return git(repo, 'rev-parse', 'HEAD')
    },
    remove: tmp.remove,
  }
}

/** The build input for the testbed registry; `name` is this run's image under e2e/<run id>/. */
export function input(name: string, builder: BuildInput['builder'] = {}, password = registryPassword): BuildInput {
  return {
    service: 'hello',
    image: { name: `e2e/${runId}/${name}` },
    registry: {
      server: testbed.registry.server,
      username: testbed.registry.username,
      password,
      caFile: testbed.registry.caCertPath,
      passwordSource: 'the KAMAL_REGISTRY_PASSWORD secret',
    },
    builder,
  }
}

/** The testbed's base image and the VERSION the image's /version serves. */
export const helloArgs = (version: string): Record<string, string> => ({ BASE: testbed.baseImage, VERSION: version })

export async function build(w: World, buildInput: BuildInput, deps: Partial<BuildRunDeps> = {}, request: { version?: string } = {}) {
  const log = memoryLogger()
  const report: BuildReport = await buildImage({ input: buildInput, appDir: w.appDir, ...request }, { log, cacheDir: w.cacheDir, exec: w.exec, ...deps })
  return { report, lines: log.lines }
}

/**
 * Runs `argv` in a container of `image` on vm1, pulled from the registry: proof that the image
 * is in the registry, as a host sees it. The login goes to a docker config of this call's own on
 * vm1 (the hosts are shared with other tests, whose logins must stay as they are); the image and
 * that config are removed afterwards.
 */
export async function runOnHost(image: string, argv: string[]): Promise<string> {
  const p = pool()
  const h = testbed.hosts[0]!
  const config = `/tmp/cutover-e2e-build-${runId}-${hostCalls++}`
  try {
    const host: RemoteHost = await p.host(`${h.address}:${h.sshPort}`, h.name)
    const docker = async (what: string, args: string[], stdin?: string) => {
      const r = await host.exec(['docker', '--config', config, ...args], { timeoutMs: 120_000, ...(stdin === undefined ? {} : { stdin }) })
      if (r.code !== 0) throw new Error(`${h.name}: ${what} failed: ${r.stderr.trim()}`)
      return r.stdout
    }
    try {
      await docker('docker login', ['login', '--username', testbed.registry.username, '--password-stdin', testbed.registry.server], testbed.registry.password)
      await docker(`docker pull ${image}`, ['pull', '--quiet', image])
      return await docker(`docker run ${image} ${argv.join(' ')}`, ['run', '--rm', image, ...argv])
    } finally {
      await host.exec(['docker', 'rmi', '--force', image], { timeoutMs: 60_000 })
      await host.exec(['rm', '-rf', config])
    }
  } finally {
    await p.closeAll()
  }
}
let hostCalls = 0

/**
 * BuildKit's plain progress output, read per step: for each step's title ("[2/3] RUN …"), whether
 * it ran or was CACHED. A step is CACHED when BuildKit found its result in a cache instead of
 * running it; that is what the cache tests assert (never build times).
 */
export function stepStates(lines: string[]): Map<string, 'CACHED' | 'ran'> {
  const titles = new Map<string, string>()
  const states = new Map<string, 'CACHED' | 'ran'>()
  for (const raw of lines) {
    const line = raw.replace(/^info: /, '')
    const title = /^#(\d+) (\[[^\]]*\d+\/\d+\] .*)$/.exec(line)
    if (title) {
      titles.set(title[1]!, title[2]!)
      states.set(title[2]!, 'ran')
      continue
    }
    const cached = /^#(\d+) CACHED$/.exec(line)
    const name = cached && titles.get(cached[1]!)
    if (name) states.set(name, 'CACHED')
  }
  return states
}

/** Image references this run left in the machine's engine (the docker driver builds into it). */
export async function removeLocalImages(): Promise<void> {
  const refs = (await execLocal(['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${testbed.registry.server}/e2e/${runId}/*`])).stdout.split('\n').filter(Boolean)
  if (refs.length) await execLocal(['docker', 'rmi', '--force', ...refs])
}
