import { describe, expect, it } from 'vitest'
import * as build from '../../../src/argv/build.js'
import { gitArgv } from '../../../src/argv/git.js'

const base: build.ImageBuildArgs = {
  docker: 'docker',
  tags: ['registry.test/app:abc', 'registry.test/app:latest'],
  service: 'web',
  dockerfile: 'Dockerfile',
  context: '.',
}

describe('buildxBuild', () => {
  it.each<[string, Partial<build.ImageBuildArgs> & { builder?: string }, string[]]>([
    ['minimal', {}, ['docker', 'buildx', 'build', '--push', '--progress=plain', '--tag', 'registry.test/app:abc', '--tag', 'registry.test/app:latest', '--label', 'service=web', '--file', 'Dockerfile', '.']],
    ['every option', {
      builder: 'remote1',
      dockerfile: 'docker/Dockerfile.prod',
      context: 'app',
      target: 'production',
      args: { RUBY_VERSION: '3.3', 'WITH SPACE': 'a b' },
      secrets: ['GITHUB_TOKEN', 'NPM_TOKEN'],
      platforms: ['linux/amd64', 'linux/arm64'],
      cacheFrom: ['type=registry,ref=r/app-build-cache'],
      cacheTo: ['type=registry,ref=r/app-build-cache,mode=max'],
    }, [
      'docker', 'buildx', 'build', '--push', '--progress=plain', '--builder', 'remote1',
      '--tag', 'registry.test/app:abc', '--tag', 'registry.test/app:latest', '--label', 'service=web', '--file', 'docker/Dockerfile.prod',
      '--target', 'production', '--build-arg', 'RUBY_VERSION=3.3', '--build-arg', 'WITH SPACE=a b',
      '--secret', 'id=GITHUB_TOKEN,env=GITHUB_TOKEN', '--secret', 'id=NPM_TOKEN,env=NPM_TOKEN',
      '--platform', 'linux/amd64,linux/arm64',
      '--cache-from', 'type=registry,ref=r/app-build-cache', '--cache-to', 'type=registry,ref=r/app-build-cache,mode=max', 'app',
    ]],
  ])('%s', (_name, extra, expected) => {
    expect(build.buildxBuild({ ...base, ...extra })).toEqual(expected)
  })
})

describe('legacyBuild and push', () => {
  it('builds without push or cache export, with the same secrets and labels', () => {
    expect(build.legacyBuild({ ...base, docker: '/usr/bin/docker', secrets: ['TOKEN'], platforms: ['linux/amd64'], cacheFrom: ['registry.test/app:latest'], args: { BUILDKIT_INLINE_CACHE: '1' } })).toEqual([
      '/usr/bin/docker', 'build', '--progress=plain', '--tag', 'registry.test/app:abc', '--tag', 'registry.test/app:latest', '--label', 'service=web', '--file', 'Dockerfile',
      '--build-arg', 'BUILDKIT_INLINE_CACHE=1', '--secret', 'id=TOKEN,env=TOKEN', '--platform', 'linux/amd64', '--cache-from', 'registry.test/app:latest', '.',
    ])
  })
  it('classic builder: no --progress and no --secret (it takes neither), the rest as the others', () => {
    expect(build.classicBuild({ ...base, target: 'prod', platforms: ['linux/amd64'], args: { A: '1' } })).toEqual([
      'docker', 'build', '--tag', 'registry.test/app:abc', '--tag', 'registry.test/app:latest', '--label', 'service=web', '--file', 'Dockerfile',
      '--target', 'prod', '--build-arg', 'A=1', '--platform', 'linux/amd64', '.',
    ])
  })
  it('pushes one tag', () => {
    expect(build.push('docker', 'r/app:1')).toEqual(['docker', 'push', 'r/app:1'])
  })
})

describe('builder management', () => {
  it.each([
    [build.buildxVersion('docker'), ['docker', 'buildx', 'version']],
    [build.buildxInspect('docker'), ['docker', 'buildx', 'inspect']],
    [build.buildxInspect('docker', 'cutover'), ['docker', 'buildx', 'inspect', 'cutover']],
    [build.clientVersion('/usr/bin/docker'), ['/usr/bin/docker', '--version']],
    [build.buildxBootstrap('docker', 'cutover'), ['docker', 'buildx', 'inspect', '--bootstrap', 'cutover']],
    [build.buildxCreateContainer('docker', 'cutover'), ['docker', 'buildx', 'create', '--name', 'cutover', '--driver', 'docker-container']],
    [build.buildxCreateContainer('docker', 'cutover', '/c/buildkitd.toml'), ['docker', 'buildx', 'create', '--name', 'cutover', '--driver', 'docker-container', '--buildkitd-config', '/c/buildkitd.toml']],
  ])('%j', (argv, expected) => {
    expect(argv).toEqual(expected)
  })

  it.each([
    [[], []],
    [['amd64'], ['linux/amd64']],
    [['amd64', 'arm64'], ['linux/amd64', 'linux/arm64']],
    [['linux/arm/v7'], ['linux/arm/v7']],
  ])('platformsFor(%j) = %j', (arch, expected) => {
    expect(build.platformsFor(arch)).toEqual(expected)
  })
})

describe('gitArgv', () => {
  it.each([
    [gitArgv.showToplevel('/r'), ['git', '-C', '/r', 'rev-parse', '--show-toplevel']],
    [gitArgv.resolveCommit('/r', '-x'), ['git', '-C', '/r', 'rev-parse', '--verify', '--end-of-options', '-x^{commit}']],
    [gitArgv.status('/r'), ['git', '-C', '/r', 'status', '--porcelain', '--untracked-files=all']],
    [gitArgv.status('/r', { ignored: true }), ['git', '-C', '/r', 'status', '--porcelain', '--untracked-files=all', '--ignored']],
    [gitArgv.clone('/src', '/dst'), ['git', 'clone', '--no-checkout', '--quiet', '--', '/src', '/dst']],
    [gitArgv.fetchCommit('/d', 'abc'), ['git', '-C', '/d', 'fetch', '--quiet', '--no-tags', 'origin', 'abc']],
    [gitArgv.resetHard('/d', 'abc'), ['git', '-C', '/d', 'reset', '--hard', '--quiet', 'abc', '--']],
    [gitArgv.clean('/d'), ['git', '-C', '/d', 'clean', '-ffdxq']],
  ])('%j', (argv, expected) => {
    expect(argv).toEqual(expected)
  })
})
