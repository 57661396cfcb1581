import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { observe } from '../../../src/argv/observe.js'
import { parseObservation } from '../../../src/argv/observation.js'
import { DEBIAN_DOCKER, dockerClients, PATH_DOCKER, reportMissingDockerClients } from '../helpers/docker-clients.js'
import { fakeDockerd, type FakeDockerd } from '../helpers/fake-dockerd.js'
import { tempDir } from '../helpers/sh.js'

// The observe script run by the REAL docker CLIs against a fake daemon that answers with raw
// Engine API JSON: it checks our templates where Docker's quirks live (the raw-map fallback,
// where a missing key is an error; labels null, empty or absent; a container gone between ps
// and inspect). Both docker CLIs are tried: the testbed hosts run Debian's 20.10
// (/usr/bin/docker), this machine's PATH has 28.x (one run per distinct version). A client that
// cannot be run here is reported: a skipped test outside CI, a failing one under CI=true.
const { found: clients, missing } = dockerClients([DEBIAN_DOCKER, PATH_DOCKER])

const id = (c: string): string => c.repeat(64)
const IMG = (c: string): string => `sha256:${c.repeat(64)}`

/** A container as the Engine API's inspect returns it (the fields that matter, raw). */
function inspect(o: { id: string; name: string; status: string; image: string; ref: string; network: string; labels?: Record<string, string> | null; noLabelsKey?: boolean; health?: string }) {
  const config: Record<string, unknown> = { Hostname: 'h', Image: o.ref, Env: ['SECRET=must-not-show'], Cmd: ['x'] }
  if (!o.noLabelsKey) config.Labels = o.labels ?? null
  return {
    Id: o.id,
    Created: '2025-01-02T03:04:05.123456789Z',
    Name: `/${o.name}`,
    Image: o.image,
    State: { Status: o.status, Running: o.status === 'running', ...(o.health ? { Health: { Status: o.health, FailingStreak: 0, Log: [] } } : {}) },
    Config: config,
    HostConfig: { NetworkMode: o.network, RestartPolicy: { Name: 'unless-stopped' } },
    NetworkSettings: { Networks: {} },
  }
}

const containers = [
  inspect({ id: id('a'), name: 'app-web-v2', status: 'running', image: IMG('2'), ref: 'reg.test/app:v2', network: 'kamal', health: 'healthy', labels: { service: 'app', role: 'web', destination: '', 'cutover.version': 'v2', 'cutover.digest': 'd'.repeat(64), other: 'x' } }),
  inspect({ id: id('b'), name: 'app-web-v1', status: 'exited', image: IMG('1'), ref: 'reg.test/app:v1', network: 'kamal', labels: { service: 'app', role: 'web', destination: '' } }),
  inspect({ id: id('c'), name: 'kamal-proxy', status: 'running', image: IMG('9'), ref: 'basecamp/kamal-proxy:v0.9.2', network: 'kamal', labels: null }),
  inspect({ id: id('e'), name: 'unlabelled', status: 'created', image: IMG('7'), ref: 'busybox', network: 'bridge', labels: {} }),
  inspect({ id: id('f'), name: 'ancient', status: 'exited', image: IMG('8'), ref: 'old', network: 'default', noLabelsKey: true }),
]
const gone = id('0') // listed by ps, removed before inspect

/** The Engine API's list entry (`docker ps`) for an inspected container. */
const listed = (c: ReturnType<typeof inspect>) => ({
  Id: c.Id, Names: [c.Name], Image: c.Config.Image, ImageID: c.Image, Command: 'x', Created: 1735787045, State: c.State.Status, Status: '', Ports: [],
  Labels: (c.Config as { Labels?: unknown }).Labels ?? null, HostConfig: { NetworkMode: c.HostConfig.NetworkMode },
  NetworkSettings: { Networks: { [c.HostConfig.NetworkMode]: { NetworkID: 'n', IPAddress: '10.0.0.2' } } }, Mounts: [],
})

const images = [
  { Id: IMG('2'), RepoTags: ['reg.test/app:v2', 'reg.test/app:latest'], RepoDigests: [`reg.test/app@${IMG('3')}`], Created: 1, Size: 1, VirtualSize: 1, SharedSize: -1, Labels: null, Containers: -1, ParentId: '' },
  { Id: IMG('1'), RepoTags: ['reg.test/app:v1'], RepoDigests: [], Created: 1, Size: 1, VirtualSize: 1, SharedSize: -1, Labels: null, Containers: -1, ParentId: '' },
]

describe('observe through the real docker CLI (fake daemon)', () => {
  reportMissingDockerClients(missing)

  let dockerd: FakeDockerd
  beforeAll(async () => {
    dockerd = await fakeDockerd((method, path) => {
      if (method === 'GET' && path.startsWith('/containers/json')) return { status: 200, body: [...containers.map(listed), listed(inspect({ id: gone, name: 'gone', status: 'exited', image: IMG('5'), ref: 'x', network: 'bridge' }))] }
      const inspected = /^\/containers\/([^/]+)\/json/.exec(path)
      if (method === 'GET' && inspected) {
        const c = containers.find((x) => x.Id === inspected[1] || x.Name === `/${inspected[1]}`)
        return c ? { status: 200, body: c } : { status: 404, body: { message: `No such container: ${inspected[1]}` } }
      }
      if (method === 'GET' && path.startsWith('/images/json')) return { status: 200, body: images }
      if (method === 'POST' && path.startsWith('/containers/kamal-proxy/exec')) return { status: 409, body: { message: 'cannot exec in a fake daemon' } }
      return undefined
    })
  })
  afterAll(async () => {
    await dockerd.close()
  })

  /** PATH with `bin` as `docker`. */
  const withClient = (bin: string): NodeJS.ProcessEnv => {
    const dir = tempDir('client')
    mkdirSync(join(dir, 'bin'))
    symlinkSync(bin, join(dir, 'bin', 'docker'))
    return { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` }
  }

  it.each(clients.map((c) => [c.version, c.bin]))('full look: %s', async (_, bin) => {
    const home = tempDir('home')
    const r = await dockerd.run(observe({ look: 'full', repository: 'reg.test/app', lockDir: '.kamal/lock-app' }), home, withClient(bin!))
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('must-not-show')
    expect(r.stdout).not.toContain('"other"')
    const s = parseObservation(r.stdout)
    expect(s.containers.map((c) => [c.id, c.name, c.state, c.imageId, c.health, c.service, c.role, c.destination, c.version, c.digest])).toEqual([
      [id('a'), 'app-web-v2', 'running', IMG('2'), 'healthy', 'app', 'web', '', 'v2', 'd'.repeat(64)],
      [id('b'), 'app-web-v1', 'exited', IMG('1'), null, 'app', 'web', '', null, null],
      [id('c'), 'kamal-proxy', 'running', IMG('9'), null, '', '', '', null, null],
      [id('e'), 'unlabelled', 'created', IMG('7'), null, '', '', '', null, null],
      [id('f'), 'ancient', 'exited', IMG('8'), null, '', '', '', null, null],
    ])
    expect(s.containers[0]?.created).toBe('2025-01-02T03:04:05.123456789Z')
    expect(s.proxy).toEqual({ state: 'running', image: 'basecamp/kamal-proxy:v0.9.2' })
    expect(s.network).toBe(true)
    // The proxy runs but `kamal-proxy list` cannot: the routes are unknown, and the reason is kept.
    expect(s.routes).toBeNull()
    expect(s.routesError).toMatch(/kamal-proxy list failed/)
    expect(s.images).toEqual([
      { id: IMG('2'), repository: 'reg.test/app', tag: expect.stringMatching(/^(v2|latest)$/), digests: [IMG('3')] },
      { id: IMG('2'), repository: 'reg.test/app', tag: expect.stringMatching(/^(v2|latest)$/), digests: [IMG('3')] },
      { id: IMG('1'), repository: 'reg.test/app', tag: 'v1', digests: [] },
    ])
    expect(s.images?.slice(0, 2).map((i) => i.tag).sort()).toEqual(['latest', 'v2'])
  })

  it.each(clients.map((c) => [c.version, c.bin]))('first look: %s', async (_, bin) => {
    const r = await dockerd.run(observe({ look: 'first', lockDir: '.kamal/lock-app' }), tempDir('home'), withClient(bin!))
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('"other"')
    const s = parseObservation(r.stdout)
    expect(s.look).toBe('first')
    expect(s.containers.map((c) => [c.id, c.name, c.state, c.service, c.role, c.destination, c.version, c.digest])).toEqual([
      [id('a'), 'app-web-v2', 'running', 'app', 'web', '', 'v2', 'd'.repeat(64)],
      [id('b'), 'app-web-v1', 'exited', 'app', 'web', '', null, null],
      [id('c'), 'kamal-proxy', 'running', '', '', '', null, null],
      [id('e'), 'unlabelled', 'created', '', '', '', null, null],
      [id('f'), 'ancient', 'exited', '', '', '', null, null],
      [gone, 'gone', 'exited', '', '', '', null, null],
    ])
    expect(s.proxy).toEqual({ state: 'running', image: 'basecamp/kamal-proxy:v0.9.2' })
    expect(s.network).toBe(true)
    expect(s.images).toBeNull()
  })
})
