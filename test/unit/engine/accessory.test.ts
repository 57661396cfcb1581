import { describe, expect, it } from 'vitest'
import type { AccessoryConfig } from '../../../src/config/index.js'
import { AccessoryFileError, fileMode, prepareAccessory } from '../../../src/engine/accessory-files.js'
import { bootOnHost, rebootOnHost, removeOnHost, type AccessoryHostContext } from '../../../src/engine/accessory.js'
import { memoryLogger } from '../../../src/log.js'
import { Secrets } from '../../../src/secrets/index.js'
import { FakeRemoteHost } from '../helpers/fake-remote-host.js'

const SECRET = 'acc-SENTINEL-7q2w'
const REGISTRY_PW = 'reg-SENTINEL-9x8y'
const secrets = new Secrets([['DB_PASSWORD', SECRET], ['KAMAL_REGISTRY_PASSWORD', REGISTRY_PW]])

const accessory = (over: Partial<AccessoryConfig> = {}): AccessoryConfig => ({
  name: 'db',
  serviceName: 'app-db',
  image: 'registry.test:5000/lib/db:1',
  hosts: [{ host: 'vm1', hostname: 'vm1', tags: [] }],
  publish: '5432:5432',
  cmd: 'db-server --port 5432',
  env: { clear: { DB_NAME: 'app' }, secret: [{ name: 'DB_PASSWORD', secret: 'DB_PASSWORD' }] },
  volumes: [],
  directories: [{ host: 'data', container: '/var/lib/db' }],
  files: [
    { local: 'config/plain.conf', container: '/etc/db/plain.conf' },
    { local: 'config/users.conf', container: '/etc/db/users.conf' },
    { local: 'config/init.sql.erb', container: '/init/init.sql' },
  ],
  options: {},
  labels: {},
  network: 'kamal',
  ...over,
})

const FILES: Record<string, string> = {
  '/app/config/plain.conf': 'max_connections = 10\n',
  '/app/config/users.conf': `admin:${SECRET}\n`,
  '/app/config/init.sql.erb': 'CREATE DATABASE <%= ENV["DB_NAME"] %>;\n-- by <%= ENV.fetch("WHO", "nobody") %>\n',
}
const prepare = (a = accessory(), files = FILES, env: Record<string, string> = {}) => prepareAccessory(a, secrets, { cwd: '/app', env, readFile: (p) => files[p] })

function ctx(host: FakeRemoteHost): AccessoryHostContext {
  return { host, log: memoryLogger(), config: { service: 'app', destination: undefined, registry: { server: 'registry.test:5000', local: false } }, registry: { server: 'registry.test:5000', username: 'u', password: REGISTRY_PW } }
}
const fresh = () => new FakeRemoteHost('vm1').on('pwd', { stdout: '/root\n' }).on('inspect', { code: 1, stderr: 'No such container' })

describe('accessory files: modes, ERB, refusals', () => {
  it.each([
    ['rendered from .erb: 0600 (its values come from the environment)', true, 'x = 1', 0o600],
    ['plain, holding a secret’s value: 0600', false, `pw=${SECRET}`, 0o600],
    ['plain, nothing secret: 0644 (a non-root process in the container can read it)', false, 'x = 1', 0o644],
  ])('%s', (_what, rendered, content, mode) => {
    expect(fileMode(rendered, content, secrets.values())).toBe(mode)
  })

  it('reads files relative to the app, renders .erb with the accessory’s clear env over the environment, writes the secret env file', () => {
    const p = prepare(accessory(), FILES, { DB_NAME: 'overridden', WHO: 'ci' })
    expect(p.files.map((f) => [f.container, f.mode.toString(8), f.rendered])).toEqual([
      ['/etc/db/plain.conf', '644', false],
      ['/etc/db/users.conf', '600', false],
      ['/init/init.sql', '600', true],
    ])
    expect(p.files[2]!.content).toBe('CREATE DATABASE app;\n-- by ci\n')
    expect(p.envFile).toBe(`DB_PASSWORD=${SECRET}\n`)
  })

  it('a template using more than the ERB subset is refused, naming the file and line', () => {
    const files = { ...FILES, '/app/config/init.sql.erb': 'ok\n<%= File.read("/etc/passwd") %>\n' }
    expect(() => prepare(accessory(), files)).toThrow(AccessoryFileError)
    expect(() => prepare(accessory(), files)).toThrow(/^accessories\/db\/files\/2: cannot render the template config\/init\.sql\.erb: config\/init\.sql\.erb:2: contains the ERB expression/)
  })

  it('a missing local file names the key path and the file', () => {
    expect(() => prepare(accessory(), { ...FILES, '/app/config/plain.conf': undefined as unknown as string })).toThrow('accessories/db/files/0: the local file config/plain.conf does not exist (paths are relative to /app)')
  })
})

describe('accessory on a host (fake host)', () => {
  it('boot: directories, files with their modes, the env file 0600, network, login+pull (password on stdin), run; no secret in any argv', async () => {
    const host = fresh()
    expect(await bootOnHost(ctx(host), accessory(), prepare())).toBe('booted')
    expect(host.uploads.map((u) => [u.path, u.mode.toString(8)])).toEqual([
      ['/root/app-db/etc/db/plain.conf', '644'],
      ['/root/app-db/etc/db/users.conf', '600'],
      ['/root/app-db/init/init.sql', '600'],
      ['/root/.kamal/apps/app/env/accessories/db.env', '600'],
    ])
    expect(host.uploads[3]!.content).toBe(`DB_PASSWORD=${SECRET}\n`)
    const lines = host.lines()
    expect(lines.some((l) => l.startsWith('mkdir -p -- /root/app-db/data'))).toBe(true)
    const pull = host.sent.find((s) => s.argv.includes('cutover-pull'))!
    expect([pull.argv.at(-1), pull.options?.stdin]).toEqual(['registry.test:5000/lib/db:1', REGISTRY_PW])
    expect(lines.at(-1)).toBe(
      'docker run --name app-db --detach --restart unless-stopped --network kamal --log-opt max-size=10m --publish 5432:5432 --env DB_NAME=app ' +
        '--env-file /root/.kamal/apps/app/env/accessories/db.env --volume /root/app-db/etc/db/plain.conf:/etc/db/plain.conf --volume /root/app-db/etc/db/users.conf:/etc/db/users.conf ' +
        '--volume /root/app-db/init/init.sql:/init/init.sql --volume /root/app-db/data:/var/lib/db --label service=app-db registry.test:5000/lib/db:1 db-server --port 5432',
    )
    for (const l of lines) expect(l).not.toContain(SECRET)
    for (const l of lines) expect(l).not.toContain(REGISTRY_PW)
  })

  it('boot when the container exists: left alone (nothing uploaded, nothing run)', async () => {
    const host = new FakeRemoteHost('vm1').on('inspect', { stdout: 'running\n' })
    expect(await bootOnHost(ctx(host), accessory(), prepare())).toBe('exists')
    expect([host.uploads.length, host.lines().filter((l) => l.startsWith('docker run')).length]).toEqual([0, 0])
  })

  it('reboot: says it is not zero-downtime, stops and removes the old container before running the new one', async () => {
    const host = new FakeRemoteHost('vm1').on('pwd', { stdout: '/root\n' }).on('inspect', { stdout: 'running\n' }, { code: 1 })
    const c = ctx(host)
    await rebootOnHost(c, accessory(), prepare())
    const order = host.lines().map((l) => (l.startsWith('docker container stop') ? 'stop' : l.includes('cutover-rm') ? 'rm' : l.startsWith('docker run') ? 'run' : null)).filter(Boolean)
    expect(order).toEqual(['stop', 'rm', 'run'])
    expect((c.log as ReturnType<typeof memoryLogger>).lines.join('\n')).toMatch(/not zero-downtime/)
  })

  it('remove: container, image, its directory and env file; only inside the home directory', async () => {
    const host = new FakeRemoteHost('vm1').on('pwd', { stdout: '/root\n' }).on('inspect', { stdout: 'exited\n' })
    expect(await removeOnHost(ctx(host), accessory())).toBe('removed')
    const lines = host.lines()
    expect(lines.some((l) => l.startsWith('docker container stop'))).toBe(false)
    expect(lines.filter((l) => l.includes('cutover-rm') || l.includes('cutover-rmi') || l.startsWith('rm -rf')).map((l) => l.split(' ').slice(-2).join(' '))).toEqual([
      'cutover-rm app-db',
      'cutover-rmi registry.test:5000/lib/db:1',
      '/root/app-db /root/.kamal/apps/app/env/accessories/db.env',
    ])
  })
})
