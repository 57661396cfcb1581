import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Argv } from '../../../src/argv/shell-join.js'
import { createGit } from '../../../src/image/git.js'
import { execLocal, type LocalExec } from '../../../src/local-exec.js'
import { buildImage } from '../../../src/image/pipeline.js'
import type { LocalCache } from '../../../src/image/cache.js'
import { RegistryError } from '../../../src/registry/client.js'
import type { BuildInput } from '../../../src/image/types.js'
import { memoryLogger } from '../../../src/log.js'
import { GIT_ENV, makeRepo, tempDir, write } from './git-fixture.js'
import { startFakeRegistry, type FakeRegistry } from '../registry/registry-server.js'

// Real git, a real (local, HTTP) registry; docker is a recording fake (no engine here), which
// also notes what the build context directory held when `docker buildx build` ran.
const git = createGit({ env: GIT_ENV })
const PASSWORD = 'registry-pa55'

let tmp: ReturnType<typeof tempDir>
let registry: FakeRegistry
beforeEach(() => {
  tmp = tempDir()
})
afterEach(async () => {
  await registry?.close()
  tmp.remove()
})

function recordingDocker() {
  const calls: { argv: Argv; stdin?: string; cwd?: string; contextFiles?: string[] }[] = []
  const exec: LocalExec = async (argv, options = {}) => {
    if (argv[0] !== 'docker') return execLocal(argv, options)
    const call: (typeof calls)[number] = { argv, stdin: options.stdin?.toString(), cwd: options.cwd }
    calls.push(call)
    const words = argv.slice(1).join(' ')
    if (words === 'buildx version') return { code: 0, stdout: 'v0.37.2', stderr: '' }
    if (words.startsWith('buildx build') && options.cwd) {
      call.contextFiles = ['Dockerfile', 'index.html', 'secret.env', 'scratch.txt'].filter((f) => existsSync(join(options.cwd!, f)))
      call.contextFiles.push(`index.html=${readFileSync(join(options.cwd, 'index.html'), 'utf8').trim()}`)
    }
    return { code: 0, stdout: '', stderr: '' }
  }
  return { exec, calls }
}

function monorepo() {
  const repo = makeRepo(join(tmp.path, 'repo'), {
    '.gitignore': 'secret.env\n',
    'examples/hello/Dockerfile': 'FROM scratch\nCOPY index.html /\n',
    'examples/hello/index.html': 'committed\n',
  })
  const appDir = join(repo.root, 'examples/hello')
  write(appDir, 'index.html', 'uncommitted edit\n')
  write(appDir, 'secret.env', 'TOKEN=x\n')
  write(appDir, 'scratch.txt', 'x\n')
  return { ...repo, appDir }
}

const input = (manifests: Record<string, string> = {}, extra: Partial<BuildInput['builder']> = {}): Promise<BuildInput> =>
  startFakeRegistry({ auth: 'basic', users: { deployer: PASSWORD }, manifests }).then((r) => {
    registry = r
    return { service: 'hello', image: { name: 'acme/hello' }, registry: { server: r.host, username: 'deployer', password: PASSWORD, insecureHttp: true }, builder: { ...extra } }
  })

/** A recording docker whose calls (their first two words) land in `order`, next to the hooks' own entries. */
function orderedDocker(): { order: string[]; exec: LocalExec } {
  const order: string[] = []
  const docker = recordingDocker()
  const exec: LocalExec = (argv, o) => {
    if (argv[0] === 'docker') order.push(argv.slice(1, 3).join(' '))
    return docker.exec(argv, o)
  }
  return { order, exec }
}

describe('buildImage', () => {
  it('builds from a clean clone of the commit when the registry lacks the version', async () => {
    const { sha, appDir } = monorepo()
    const docker = recordingDocker()
    const log = memoryLogger()
    const report = await buildImage({ input: await input(), appDir }, { git, exec: docker.exec, log, cacheDir: join(tmp.path, 'cache'), env: {} })

    expect(report).toMatchObject({ status: 'built', image: `${registry.host}/acme/hello:${sha}`, path: 'buildx' })
    const [login, version, build] = docker.calls
    expect(login!.argv).toEqual(['docker', 'login', registry.host, '--username', 'deployer', '--password-stdin'])
    expect(login!.stdin).toBe(PASSWORD)
    expect(version!.argv).toEqual(['docker', 'buildx', 'version'])
    expect(build!.cwd).toMatch(/\/cache\/clones\/hello-[0-9a-f]{12}\/examples\/hello$/)
    // The clone holds the commit: no edit, no untracked file, no ignored file.
    expect(build!.contextFiles).toEqual(['Dockerfile', 'index.html', 'index.html=committed'])
    expect(log.lines.join('\n')).toMatch(/warn: Building from a clean clone of [0-9a-f]{40}, so these uncommitted changes are left out:\nwarn: +M examples\/hello\/index.html/)
    expect(JSON.stringify(docker.calls.map((c) => c.argv))).not.toContain(PASSWORD)
    expect(registry.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`HEAD /v2/acme/hello/manifests/${sha}`, `HEAD /v2/acme/hello/manifests/${sha}`])
  })

  it('skips the build when the registry has the version: no clone, no docker', async () => {
    const { sha, appDir } = monorepo()
    const docker = recordingDocker()
    const log = memoryLogger()
    const report = await buildImage({ input: await input({ [`acme/hello:${sha}`]: 'application/vnd.oci.image.index.v1+json' }), appDir }, { git, exec: docker.exec, log, cacheDir: join(tmp.path, 'cache'), env: {} })

    expect(report.status).toBe('skipped')
    expect(report.notes).toEqual([`${registry.host}/acme/hello:${sha} is already in the registry; skipping the build.`])
    expect(docker.calls).toEqual([])
    expect(existsSync(join(tmp.path, 'cache', 'clones'))).toBe(false)
  })

  it('builder.cache local: the restore hook runs only once the registry check says "build", keyed by the commit', async () => {
    const { sha, appDir } = monorepo()
    const { order, exec } = orderedDocker()
    const restoreLocalCache = async (cache: LocalCache) => void order.push(`restore ${cache.key}`)
    const deps = { git, exec, log: memoryLogger(), cacheDir: join(tmp.path, 'cache'), env: {}, restoreLocalCache }

    const present = await buildImage({ input: await input({ [`acme/hello:${sha}`]: 'application/vnd.oci.image.index.v1+json' }, { cache: { type: 'local' } }), appDir }, deps)
    expect(present.status).toBe('skipped')
    expect(order).toEqual([])
    await registry.close()

    const built = await buildImage({ input: await input({}, { cache: { type: 'local' } }), appDir }, deps)
    expect(built.status).toBe('built')
    const restores = order.filter((o) => o.startsWith('restore '))
    expect(restores).toEqual([expect.stringMatching(new RegExp(`^restore cutover-buildcache-hello-native-[0-9a-f]{16}-${sha}$`))])
    // After the login and buildx probe, before any build.
    expect(order.indexOf(restores[0]!)).toBeLessThan(order.indexOf('buildx build'))
    expect(built.status === 'built' && built.localCache?.key).toBe(restores[0]!.slice('restore '.length))
  })

  it("beforeBuild (Kamal's pre-build hook) runs only when the image is built, with its version, before the clone and any docker call; a rejection stops the build", async () => {
    const { sha, appDir } = monorepo()
    const { order, exec } = orderedDocker()
    const deps = { git, exec, log: memoryLogger(), cacheDir: join(tmp.path, 'cache'), env: {}, beforeBuild: async (v: string) => void order.push(`pre-build ${v}`) }

    const present = await buildImage({ input: await input({ [`acme/hello:${sha}`]: 'application/vnd.oci.image.index.v1+json' }), appDir }, deps)
    expect(present.status).toBe('skipped')
    expect(order).toEqual([])
    await registry.close()

    const built = await buildImage({ input: await input(), appDir }, deps)
    expect(built.status).toBe('built')
    expect(order[0]).toBe(`pre-build ${sha}`)
    expect(order.filter((o) => o.startsWith('pre-build'))).toHaveLength(1)
    await registry.close()

    order.length = 0
    const refused = buildImage({ input: await input(), appDir }, { ...deps, beforeBuild: async () => Promise.reject(new Error('hook pre-build failed')) })
    await expect(refused).rejects.toThrow('hook pre-build failed')
    expect(order).toEqual([])
  })

  it('context "." from a dirty tree: suffixed version, no registry check, builds the working tree', async () => {
    const { sha, appDir } = monorepo()
    const docker = recordingDocker()
    const report = await buildImage({ input: await input({}, { context: '.' }), appDir }, { git, exec: docker.exec, log: memoryLogger(), cacheDir: join(tmp.path, 'cache'), env: {} })

    expect(report.version.version).toMatch(new RegExp(`^${sha}_uncommitted_[0-9a-f]{16}$`))
    expect(registry.requests).toEqual([])
    const build = docker.calls.find((c) => c.argv[2] === 'build')!
    expect(build.cwd).toBe(appDir)
    expect(build.contextFiles).toContain('index.html=uncommitted edit')
  })

  it('a registry auth failure stops the run before anything is built', async () => {
    const { appDir } = monorepo()
    const docker = recordingDocker()
    const i = await input()
    i.registry.password = 'wrong-password'
    const error = await buildImage({ input: i, appDir }, { git, exec: docker.exec, log: memoryLogger(), cacheDir: join(tmp.path, 'cache'), env: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect((error as RegistryError).failure).toBe('auth')
    expect(docker.calls).toEqual([])
  })

  it('--version and registry.skip_local: that tag, no local login', async () => {
    const { appDir } = monorepo()
    const docker = recordingDocker()
    const report = await buildImage({ input: await input(), appDir, version: 'v1.2.3', skipLocalLogin: true }, { git, exec: docker.exec, log: memoryLogger(), cacheDir: join(tmp.path, 'cache'), env: {} })
    expect(report.image).toBe(`${registry.host}/acme/hello:v1.2.3`)
    expect(docker.calls.map((c) => c.argv[1])).toEqual(['buildx', 'buildx'])
    expect(report.notes).toContain('registry.skip_local is set: pushed with the credentials already on this machine.')
  })
})
