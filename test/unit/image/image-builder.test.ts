import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Argv } from '../../../src/argv/shell-join.js'
import { BuildError, buildAndPushImage, tryBuildx, type ImageBuildRequest } from '../../../src/image/image-builder.js'
import { execLocal, type LocalExec, type LocalExecOptions } from '../../../src/local-exec.js'
import type { BuildInput } from '../../../src/image/types.js'
import { memoryLogger } from '../../../src/log.js'
import { describeWithDocker } from '../helpers/docker-clients.js'
import { tempDir, write } from './git-fixture.js'

// The docker side is a recording fake here: the unit tier runs no Docker engine, and the real
// builds run in the end-to-end tier on the testbed. What is pinned: which commands run, in
// which order, with which argv and which environment (secrets only in the environment).
interface Call {
  argv: Argv
  env: Record<string, string | undefined>
  cwd?: string
}
function fakeDocker(behaviour: { buildx: boolean; driver?: string; ownBuilder?: boolean; buildFails?: boolean; bootFails?: boolean; client?: string }) {
  const calls: Call[] = []
  const exec: LocalExec = async (argv, options: LocalExecOptions = {}) => {
    calls.push({ argv, env: { ...options.env }, cwd: options.cwd })
    const words = argv.slice(1).join(' ')
    const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' })
    if (words === '--version') return ok(`Docker version ${behaviour.client ?? '20.10.24+dfsg1'}, build 297e128\n`)
    if (words === 'buildx version') return behaviour.buildx ? ok('github.com/docker/buildx v0.37.2') : { code: 1, stdout: '', stderr: "docker: 'buildx' is not a docker command." }
    // Real output shape; with no engine, buildx prints an empty Driver and an Error line, exit 0.
    if (words === 'buildx inspect') return ok(`Name:   default\nDriver: ${behaviour.driver ?? 'docker'}\n${behaviour.driver === '' ? 'Error:  failed to connect to the docker API\n' : ''}`)
    // Real output of a docker-container builder that cannot start here (no public registry).
    if (words.startsWith('buildx inspect --bootstrap ')) {
      return behaviour.bootFails
        ? { code: 1, stdout: '', stderr: '#1 [internal] booting buildkit\n------\n > [internal] booting buildkit:\n------\nERROR: Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host\n' }
        : ok('Name: cutover\nDriver: docker-container\nStatus: running')
    }
    if (words.startsWith('buildx inspect ')) return behaviour.ownBuilder ? ok('Driver: docker-container') : { code: 1, stdout: '', stderr: 'no builder "cutover" found' }
    if (words.startsWith('buildx create')) return ok('cutover')
    if (words.startsWith('buildx build') || words.startsWith('build ')) {
      options.onLine?.('#1 [internal] load build definition', 'stderr')
      if (behaviour.buildFails) {
        options.onLine?.(`#5 RUN echo ${options.env?.['API_TOKEN'] ?? ''} && false`, 'stderr')
        return { code: 1, stdout: '', stderr: 'ERROR: failed to solve' }
      }
      const dest = argv.find((a) => a.startsWith('type=local,dest='))?.split(',')[1]?.slice('dest='.length)
      if (dest) write(dest, 'index.json', '{}')
      return ok()
    }
    if (words.startsWith('push ')) return ok()
    return { code: 127, stdout: '', stderr: `unexpected command ${words}` }
  }
  return { exec, calls }
}

let tmp: ReturnType<typeof tempDir>
beforeEach(() => {
  tmp = tempDir()
  write(tmp.path, 'app/Dockerfile', 'FROM scratch\n')
})
afterEach(() => tmp.remove())

const input = (extra: Partial<BuildInput['builder']> = {}, secretValues: Record<string, string> = { API_TOKEN: 'tok-s3cret-value' }): BuildInput => ({
  service: 'web',
  image: { name: 'acme/app' },
  registry: { server: 'registry.test:5443', username: 'deployer', password: 'registry-pw' },
  builder: { secrets: ['API_TOKEN'], args: { MODE: 'prod' }, ...extra },
  secretValues,
})
const request = (i: BuildInput): ImageBuildRequest => ({ input: i, version: 'abc123', buildDir: join(tmp.path, 'app'), buildDirLabel: 'the clone of abc123' })
const options = (exec: LocalExec, extra = {}) => ({ exec, log: memoryLogger(), cacheDir: join(tmp.path, 'cache'), env: {}, ...extra })
const commands = (calls: Call[]) => calls.map((c) => c.argv.slice(0, 3).join(' '))

describe('buildAndPushImage', () => {
  it('buildx path: one build that pushes; secret values only in the environment', async () => {
    const docker = fakeDocker({ buildx: true })
    const result = await buildAndPushImage(request(input()), options(docker.exec))

    expect(commands(docker.calls)).toEqual(['docker buildx version', 'docker buildx build'])
    const build = docker.calls[1]!
    expect(build.argv).toEqual([
      'docker', 'buildx', 'build', '--push', '--progress=plain',
      '--tag', 'registry.test:5443/acme/app:abc123', '--tag', 'registry.test:5443/acme/app:latest',
      '--label', 'service=web', '--file', 'Dockerfile', '--build-arg', 'MODE=prod', '--secret', 'id=API_TOKEN,env=API_TOKEN', '.',
    ])
    expect(build.env['API_TOKEN']).toBe('tok-s3cret-value')
    expect(build.cwd).toBe(join(tmp.path, 'app'))
    expect(JSON.stringify(docker.calls.map((c) => c.argv))).not.toContain('tok-s3cret-value')
    expect(result).toMatchObject({ path: 'buildx', tags: ['registry.test:5443/acme/app:abc123', 'registry.test:5443/acme/app:latest'] })
    expect(result.notes[0]).toBe('Built and pushed with docker buildx.')
  })

  it('fallback path: DOCKER_BUILDKIT=1 docker build, then a push per tag, and a note saying so', async () => {
    const docker = fakeDocker({ buildx: false })
    const result = await buildAndPushImage(request(input()), options(docker.exec, { legacyDocker: '/usr/bin/docker' }))

    expect(commands(docker.calls)).toEqual(['docker buildx version', '/usr/bin/docker --version', '/usr/bin/docker build --progress=plain', '/usr/bin/docker push registry.test:5443/acme/app:abc123', '/usr/bin/docker push registry.test:5443/acme/app:latest'])
    expect(docker.calls[2]!.env).toMatchObject({ DOCKER_BUILDKIT: '1', API_TOKEN: 'tok-s3cret-value' })
    expect(docker.calls[2]!.argv).toContain('id=API_TOKEN,env=API_TOKEN')
    expect(docker.calls[2]!.argv).not.toContain('--push')
    expect(result.path).toBe('legacy')
    expect(result.notes[0]).toMatch(/buildx is not installed for docker, so built with DOCKER_BUILDKIT=1 \/usr\/bin\/docker build and pushed with \/usr\/bin\/docker push/)
  })

  it('pushLatest false (a PR preview): only image:version is tagged and pushed, on both paths; latest is never moved', async () => {
    for (const buildx of [true, false]) {
      const docker = fakeDocker({ buildx })
      const result = await buildAndPushImage(request({ ...input(), pushLatest: false }), options(docker.exec))
      expect(result.tags).toEqual(['registry.test:5443/acme/app:abc123'])
      expect(JSON.stringify(docker.calls.map((c) => c.argv))).not.toContain(':latest')
    }
  })

  it('fallback with a registry cache: inline cache from :latest; with gha/local: none, said so', async () => {
    const docker = fakeDocker({ buildx: false })
    const r = await buildAndPushImage(request(input({ cache: { type: 'registry' } })), options(docker.exec))
    expect(docker.calls[2]!.argv).toEqual(expect.arrayContaining(['--cache-from', 'registry.test:5443/acme/app:latest', 'BUILDKIT_INLINE_CACHE=1']))
    expect(r.notes.join('\n')).toContain('falls back to an inline cache')

    const docker2 = fakeDocker({ buildx: false })
    const r2 = await buildAndPushImage(request(input({ cache: { type: 'local' } })), options(docker2.exec))
    expect(docker2.calls[2]!.argv.join(' ')).not.toContain('cache')
    expect(r2.notes.join('\n')).toContain('builder.cache type local needs docker buildx; built without a cache.')
  })

  it('fallback with a Docker 23+ client (no BuildKit without buildx): the classic builder, no --progress or --secret, and a note saying so', async () => {
    const docker = fakeDocker({ buildx: false, client: '28.2.2' })
    const result = await buildAndPushImage(request(input({ cache: { type: 'registry' }, secrets: [] })), options(docker.exec))
    expect(commands(docker.calls)).toEqual(['docker buildx version', 'docker --version', 'docker build --tag', 'docker push registry.test:5443/acme/app:abc123', 'docker push registry.test:5443/acme/app:latest'])
    expect(docker.calls[2]!.argv).toEqual([
      'docker', 'build', '--tag', 'registry.test:5443/acme/app:abc123', '--tag', 'registry.test:5443/acme/app:latest',
      '--label', 'service=web', '--file', 'Dockerfile', '--build-arg', 'MODE=prod', '.',
    ])
    expect(docker.calls[2]!.env).toMatchObject({ DOCKER_BUILDKIT: '0' })
    expect(result.path).toBe('classic')
    expect(result.notes).toEqual([
      'docker buildx is not installed for docker, and docker (Docker 28.2.2) reaches BuildKit only through buildx, which is not installed for it, so built with the classic builder (DOCKER_BUILDKIT=0 docker build) and pushed with docker push.',
      'builder.cache needs BuildKit, and docker (Docker 28.2.2) reaches BuildKit only through buildx, which is not installed for it; built without a cache.',
    ])
  })

  it('fallback with a Docker 23+ client refuses build secrets (they need BuildKit), before building', async () => {
    const docker = fakeDocker({ buildx: false, client: '23.0.0' })
    await expect(buildAndPushImage(request(input()), options(docker.exec))).rejects.toThrow(
      'builder.secrets needs BuildKit, and docker (Docker 23.0.0) reaches BuildKit only through buildx, which is not installed for it. Fix: install the buildx plugin (https://docs.docker.com/go/buildx/).',
    )
    expect(commands(docker.calls)).toEqual(['docker buildx version', 'docker --version'])
  })

  it('fallback refuses a multi-arch build', async () => {
    const docker = fakeDocker({ buildx: false })
    await expect(buildAndPushImage(request(input({ arch: ['amd64', 'arm64'] })), options(docker.exec))).rejects.toThrow(/lists 2 architectures, which needs docker buildx/)
  })

  it('cache export on the docker driver: creates (once) and uses a docker-container builder', async () => {
    const docker = fakeDocker({ buildx: true, driver: 'docker' })
    const result = await buildAndPushImage(request(input({ cache: { type: 'registry', options: 'mode=max' } })), options(docker.exec))
    expect(commands(docker.calls)).toEqual(['docker buildx version', 'docker buildx inspect', 'docker buildx inspect', 'docker buildx create', 'docker buildx inspect', 'docker buildx build'])
    expect(docker.calls[4]!.argv).toEqual(['docker', 'buildx', 'inspect', '--bootstrap', 'cutover'])
    expect(docker.calls[5]!.argv).toEqual(expect.arrayContaining(['--builder', 'cutover', '--cache-to', 'type=registry,ref=registry.test:5443/acme/app-build-cache,mode=max']))
    expect(result.builder).toBe('cutover')

    const again = fakeDocker({ buildx: true, driver: 'docker', ownBuilder: true })
    await buildAndPushImage(request(input({ cache: { type: 'registry' } })), options(again.exec))
    expect(commands(again.calls)).not.toContain('docker buildx create')
  })

  it('cache on the docker driver when the docker-container builder cannot start: says so before building, with the fix', async () => {
    const docker = fakeDocker({ buildx: true, driver: 'docker', bootFails: true })
    const error = await buildAndPushImage(request(input({ cache: { type: 'registry' } })), options(docker.exec)).catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(BuildError)
    expect((error as Error).message).toBe(
      'builder.cache needs a buildx builder that can export a cache, and the current builder uses the docker driver, which cannot; ' +
        'cutover\'s docker-container builder "cutover" does not start: > [internal] booting buildkit: / ERROR: Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host. ' +
        'Fix: remove builder.cache; or make a builder that can export a cache current (`docker buildx use <name>`, e.g. a remote BuildKit); or let the docker-container driver start here (it runs the moby/buildkit image with --privileged).',
    )
    expect(commands(docker.calls)).not.toContain('docker buildx build')
  })

  it('cache with a broken current builder (no engine): uses its own builder', async () => {
    const docker = fakeDocker({ buildx: true, driver: '' })
    const result = await buildAndPushImage(request(input({ cache: { type: 'registry' } })), options(docker.exec))
    expect(result.builder).toBe('cutover')
  })

  it('cache on a builder that can export (e.g. remote): no builder is created', async () => {
    const docker = fakeDocker({ buildx: true, driver: 'remote' })
    await buildAndPushImage(request(input({ cache: { type: 'registry' } })), options(docker.exec))
    expect(commands(docker.calls)).toEqual(['docker buildx version', 'docker buildx inspect', 'docker buildx build'])
    expect(docker.calls[2]!.argv).not.toContain('--builder')
  })

  it('an explicit builder is used as given', async () => {
    const docker = fakeDocker({ buildx: true })
    await buildAndPushImage(request(input({ cache: { type: 'local' } })), options(docker.exec, { buildxBuilder: 'testbed-remote' }))
    expect(commands(docker.calls)).toEqual(['docker buildx version', 'docker buildx build'])
    expect(docker.calls[1]!.argv).toEqual(expect.arrayContaining(['--builder', 'testbed-remote']))
  })

  it('gha cache: runtime token in the environment of the build only', async () => {
    const docker = fakeDocker({ buildx: true, driver: 'docker-container' })
    await buildAndPushImage(request(input({ cache: { type: 'gha' } })), options(docker.exec, { env: { ACTIONS_RUNTIME_TOKEN: 'rt-s3cret', ACTIONS_RESULTS_URL: 'https://results/' } }))
    const build = docker.calls.at(-1)!
    expect(build.env).toMatchObject({ ACTIONS_RUNTIME_TOKEN: 'rt-s3cret', ACTIONS_RESULTS_URL: 'https://results/' })
    expect(build.argv).toEqual(expect.arrayContaining(['--cache-from', 'type=gha,scope=web', '--cache-to', 'type=gha,scope=web']))
    expect(build.argv.join(' ')).not.toContain('rt-s3cret')
  })

  it('local cache: written beside the old one, moved into place after a successful build', async () => {
    const docker = fakeDocker({ buildx: true, driver: 'docker-container' })
    const first = await buildAndPushImage(request(input({ cache: { type: 'local' } })), options(docker.exec))
    const local = first.localCache!
    expect(existsSync(join(local.dir, 'index.json'))).toBe(true)
    expect(existsSync(local.nextDir)).toBe(false)

    const docker2 = fakeDocker({ buildx: true, driver: 'docker-container' })
    await buildAndPushImage(request(input({ cache: { type: 'local' } })), options(docker2.exec))
    expect(docker2.calls.at(-1)!.argv).toEqual(expect.arrayContaining(['--cache-from', `type=local,src=${local.dir}`, '--cache-to', `type=local,dest=${local.nextDir},mode=max`]))
  })

  it('local cache restore hook: called with buildx only, before the plan looks for the directory', async () => {
    const restored: string[] = []
    const restoreLocalCache = async (cache: { dir: string; key: string }) => {
      restored.push(cache.key)
      write(cache.dir, 'index.json', '{}')
    }
    const docker = fakeDocker({ buildx: true, driver: 'docker-container' })
    const r = await buildAndPushImage({ ...request(input({ cache: { type: 'local' } })), commit: 'f'.repeat(40) }, options(docker.exec, { restoreLocalCache }))
    expect(restored).toEqual([r.localCache!.key])
    expect(r.localCache!.key).toMatch(new RegExp(`-${'f'.repeat(40)}$`))
    expect(docker.calls.at(-1)!.argv).toEqual(expect.arrayContaining(['--cache-from', `type=local,src=${r.localCache!.dir}`]))

    const none = fakeDocker({ buildx: false })
    await buildAndPushImage(request(input({ cache: { type: 'local' } })), options(none.exec, { restoreLocalCache }))
    const gha = fakeDocker({ buildx: true, driver: 'docker-container' })
    await buildAndPushImage(request(input({ cache: { type: 'registry' } })), options(gha.exec, { restoreLocalCache }))
    expect(restored).toHaveLength(1)
  })

  it('a failed build says what failed with the last output, secrets masked', async () => {
    const docker = fakeDocker({ buildx: true, buildFails: true })
    const log = memoryLogger()
    const error = await buildAndPushImage(request(input()), { ...options(docker.exec), log }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BuildError)
    expect((error as Error).message).toMatch(/^Building registry.test:5443\/acme\/app:abc123 failed \(`docker buildx build …` exited 1\)\. Last output:\n#1 \[internal\]/)
    expect((error as Error).message).toContain('RUN echo [redacted] && false')
    expect(log.lines.join('\n')).not.toContain('tok-s3cret-value')
  })

  it.each([
    ['a secret without a value', input({}, {}), /builder.secrets: API_TOKEN has no value/],
    ['a secret name that is no env name', input({ secrets: ['api-token'] }, { 'api-token': 'x' }), /'api-token' is not a valid secret name/],
    ['a missing Dockerfile', input({ dockerfile: 'Dockerfile.prod' }), /builder.dockerfile: Dockerfile.prod is not in the clone of abc123/],
  ])('%s fails before docker runs', async (_name, i, expected) => {
    const docker = fakeDocker({ buildx: true })
    await expect(buildAndPushImage(request(i), options(docker.exec))).rejects.toThrow(expected)
    expect(docker.calls).toEqual([])
  })
})

// Real binaries: the docker 28 client on PATH has no buildx. (That the buildx the testbed builds
// from its Go module is found in a docker config's cli-plugins directory is an e2e test, since
// the testbed owns that binary: test/e2e/build-fallback.test.ts.) A private DOCKER_CONFIG keeps
// this machine's docker setup untouched. No daemon is needed for `version`.
describe('tryBuildx', () => {
  it('is false for a client that does not exist', async () => {
    expect(await tryBuildx(execLocal, join(tmp.path, 'no-such-docker'))).toBe(false)
  })
})

// Without a docker client: skipped outside CI, a failure under CI=true (see describeWithDocker).
describeWithDocker('tryBuildx with the real docker client', () => {
  const withConfig = (dir: string): LocalExec => (argv, o) => execLocal(argv, { ...o, env: { ...o?.env, DOCKER_CONFIG: dir } })

  it('is false for a client without the plugin', async () => {
    mkdirSync(join(tmp.path, 'empty-config'))
    expect(await tryBuildx(withConfig(join(tmp.path, 'empty-config')), 'docker')).toBe(false)
  })
})
