import { describe, expect, it } from 'vitest'
import * as registry from '../../../src/argv/registry.js'
import { underHostLock } from '../../../src/argv/host-lock.js'
import * as docker from '../../../src/argv/docker.js'
import type { RunSpec } from '../../../src/argv/docker.js'

const spec: RunSpec = {
  name: 'app-web-v1',
  image: 'reg.test/app:v1',
  network: 'kamal',
  networkAliases: ['cutover-abc'],
  restart: 'unless-stopped',
  env: { A: '1', B: 'two words' },
  envFile: '.kamal/apps/app/env/roles/web.env',
  labels: { service: 'app', role: 'web' },
  volumes: ['/data:/data:ro'],
  logging: { driver: null, options: {} },
  options: { cpus: 2, 'add-host': ['a:1.2.3.4', 'b:5.6.7.8'], init: true },
  cmd: ['bin/web', '--port', '3000'],
}

describe('docker argv', () => {
  it('run pins every flag, in order', () => {
    expect(docker.run(spec, 'vm1-0123456789ab')).toEqual([
      'docker', 'run', '--detach',
      '--restart', 'unless-stopped',
      '--name', 'app-web-v1',
      '--network', 'kamal',
      '--network-alias', 'cutover-abc',
      '--hostname', 'vm1-0123456789ab',
      '--env', 'A=1', '--env', 'B=two words',
      '--env-file', '.kamal/apps/app/env/roles/web.env',
      '--log-opt', 'max-size=10m',
      '--volume', '/data:/data:ro',
      '--label', 'service=app', '--label', 'role=web',
      '--cpus', '2', '--add-host', 'a:1.2.3.4', '--add-host', 'b:5.6.7.8', '--init',
      'reg.test/app:v1',
      'bin/web', '--port', '3000',
    ])
  })

  it('run: configured logging replaces the default rotation; no env file, no hostname', () => {
    const argv = docker.run({ ...spec, envFile: null, logging: { driver: 'local', options: { 'max-file': '3' } } })
    expect(argv).toEqual(expect.arrayContaining(['--log-driver', 'local', '--log-opt', 'max-file=3']))
    expect(argv).not.toContain('max-size=10m')
    expect(argv).not.toContain('--env-file')
    expect(argv).not.toContain('--hostname')
  })

  it.each([
    [docker.start('a', 'b'), ['docker', 'start', 'a', 'b']],
    [docker.stop(['a']), ['docker', 'stop', 'a']],
    [docker.stop(['a', 'b'], 0), ['docker', 'stop', '--time', '0', 'a', 'b']],
    [docker.stop(['a'], 30), ['docker', 'stop', '--time', '30', 'a']],
    [docker.rm(['a', 'b']), ['docker', 'rm', 'a', 'b']],
    [docker.rm(['a'], { force: true }), ['docker', 'rm', '--force', 'a']],
    [docker.rename('app-web-v1', 'app-web-v1_replaced_00ff'), ['docker', 'rename', 'app-web-v1', 'app-web-v1_replaced_00ff']],
    [docker.pull('reg.test/app:v1'), ['docker', 'pull', 'reg.test/app:v1']],
    [registry.login('reg.test', 'me'), ['docker', 'login', 'reg.test', '--username', 'me', '--password-stdin']],
    [docker.logs('c', 50), ['docker', 'logs', '--tail', '50', 'c']],
    [docker.networkCreate('kamal'), ['docker', 'network', 'create', 'kamal']],
    [docker.networkInspect('kamal'), ['docker', 'network', 'inspect', 'kamal']],
    [docker.ensureNetwork('kamal'), underHostLock(['sh', '-c', 'docker network inspect kamal >/dev/null 2>&1 || docker network create kamal || docker network inspect kamal >/dev/null'])],
    [docker.ps(), ['docker', 'ps', '--all', '--quiet', '--no-trunc']],
    [docker.inspectContainers('{{.Id}}', ['a', 'b']), ['docker', 'container', 'inspect', '--format', '{{.Id}}', 'a', 'b']],
    [docker.listImages('{{.ID}}', 'reg.test/app'), ['docker', 'image', 'ls', '--no-trunc', '--digests', '--format', '{{.ID}}', 'reg.test/app']],
    [docker.listImages('{{.ID}}', 'docker.io/org/app'), ['docker', 'image', 'ls', '--no-trunc', '--digests', '--format', '{{.ID}}', 'org/app']],
    [docker.removeImages(['reg.test/app:v0']), ['docker', 'image', 'rm', 'reg.test/app:v0']],
    [docker.pruneDanglingImages('app'), ['docker', 'image', 'prune', '--force', '--filter', 'label=service=app']],
    [docker.health('c'), ['docker', 'container', 'inspect', '--format', docker.HEALTH_FORMAT, 'c']],
  ])('%j', (argv, expected) => {
    expect(argv).toEqual(expected)
  })

  it.each([
    ['running', 'ready'],
    ['healthy', 'ready'],
    ['starting', 'waiting'],
    ['created', 'waiting'],
    ['restarting', 'waiting'],
    ['unhealthy', 'failed'],
    ['exited', 'failed'],
    ['dead', 'failed'],
    ['', 'failed'],
  ])('health %j reads as %s', (out, expected) => {
    expect(docker.interpretHealth(`${out}\n`)).toBe(expected)
  })
})

describe('familiarRepository: the name Docker lists and filters a repository by', () => {
  it.each([
    ['docker.io/org/app', 'org/app'],
    ['index.docker.io/org/app', 'org/app'],
    ['docker.io/library/nginx', 'nginx'],
    ['docker.io/library/a/b', 'library/a/b'],
    ['org/app', 'org/app'],
    ['nginx', 'nginx'],
    ['ghcr.io/org/app', 'ghcr.io/org/app'],
    ['10.213.77.2:5000/testbed/hello', '10.213.77.2:5000/testbed/hello'],
    ['registry-1.docker.io/org/app', 'registry-1.docker.io/org/app'],
    ['docker.io:5000/org/app', 'docker.io:5000/org/app'],
  ])('%s → %s', (repository, familiar) => {
    expect(docker.familiarRepository(repository)).toBe(familiar)
  })
})
