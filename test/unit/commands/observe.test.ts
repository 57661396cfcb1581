import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { observe, MARK, SECTIONS } from '../../../src/commands/observe.js'
import { ObservationError, parseObservation } from '../../../src/commands/observation.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'

const query = { service: 'app', image: 'registry.test:5000/app:v2', repository: 'registry.test:5000/app', lockDir: '.kamal/lock-app' }
const ID1 = 'a'.repeat(64)
const ID2 = 'b'.repeat(64)
const digest = 'd'.repeat(64)
const containerLine = (id: string, name: string, state: string, labels: Record<string, string> | null) =>
  JSON.stringify({ id, name: `/${name}`, state, created: '2025-01-01T00:00:00.123456789Z', image: `sha256:${'1'.repeat(64)}`, health: null, labels })

/** Run the real observe script in sh against canned docker answers; return stdout and the calls made. */
function observeWith(canned: Canned, prepareHome?: (home: string) => void) {
  const home = tempDir('home')
  prepareHome?.(home)
  const docker = fakeDockerCli(canned)
  const r = runInSh(observe(query), home, docker.env)
  expect(r.code).toBe(0)
  return { stdout: r.stdout, calls: docker.calls(), home }
}

const FULL: Canned = {
  network: { out: '"kamal"\n' },
  proxy: { out: '{"state":"running","image":"basecamp/kamal-proxy:v0.9.2"}\n' },
  list: { out: kamalProxyTable([['app-web', 'app.test', '/', `cutover-${digest.slice(0, 24)}:80`, 'running', 'no']]) },
  ps: { out: `${ID1}\n${ID2}\n` },
  containers: {
    out: `${containerLine(ID1, 'app-web-v2-rc.1', 'running', { service: 'app', role: 'web', destination: '', 'cutover.version': 'v2-rc.1', 'cutover.digest': digest })}\n${containerLine(ID2, 'app-web-v1', 'exited', { service: 'app', role: 'web', destination: '' })}\n`,
  },
  image: { out: `{"id":"sha256:${'2'.repeat(64)}","repoDigests":["registry.test:5000/app@sha256:${'3'.repeat(64)}"]}\n` },
  images: { out: `{"id":"sha256:${'2'.repeat(64)}","repository":"registry.test:5000/app","tag":"v2"}\n` },
}

describe('observe: the script in a real sh, docker faked', () => {
  it('reads a busy host: containers by labels, routes, image, images, lock', () => {
    const { stdout, calls, home } = observeWith(FULL, (h) => {
      mkdirSync(join(h, '.kamal/lock-app'), { recursive: true })
      writeFileSync(join(h, '.kamal/lock-app/details'), `${Buffer.from('Locked by: x at 2025-01-01T00:00:00Z\nVersion: v1\nMessage: m').toString('base64')}\n`)
    })
    const s = parseObservation(stdout)
    expect(s).toMatchObject({
      home,
      network: true,
      proxy: { state: 'running', image: 'basecamp/kamal-proxy:v0.9.2' },
      routes: [{ service: 'app-web', hosts: ['app.test'], targets: [`cutover-${digest.slice(0, 24)}:80`] }],
      routesError: null,
      image: { id: `sha256:${'2'.repeat(64)}`, repoDigests: [`registry.test:5000/app@sha256:${'3'.repeat(64)}`] },
      images: [{ id: `sha256:${'2'.repeat(64)}`, repository: 'registry.test:5000/app', tag: 'v2' }],
      lock: { held: true, details: { lockedBy: 'x', version: 'v1', message: 'm' } },
    })
    // Versions come from labels (this one contains "-"), never from names.
    expect(s.containers.map((c) => [c.name, c.state, c.role, c.destination, c.version, c.digest])).toEqual([
      ['app-web-v2-rc.1', 'running', 'web', '', 'v2-rc.1', digest],
      ['app-web-v1', 'exited', 'web', '', null, null],
    ])
    // Read-only: every docker call is an inspect, a listing or `kamal-proxy list`.
    expect(calls.every((c) => /^(network inspect|container inspect|exec kamal-proxy kamal-proxy list$|ps --all|image inspect|image ls)/.test(c))).toBe(true)
    expect(calls).toContain('ps --all --quiet --no-trunc --filter label=service=app')
    expect(calls.find((c) => c.startsWith('container inspect') && !c.endsWith('kamal-proxy'))).toMatch(new RegExp(`${ID1} ${ID2}$`))
  })

  it('reads a bare host: no network, no proxy, no containers, no image, no lock', () => {
    const { stdout, calls } = observeWith({
      network: { rc: 1 },
      proxy: { rc: 1 },
      list: { out: 'Error response from daemon: No such container: kamal-proxy\n', rc: 1 },
      ps: { out: '' },
      image: { rc: 1 },
      images: { out: '' },
    })
    expect(parseObservation(stdout)).toMatchObject({ network: false, proxy: null, routes: null, routesError: null, containers: [], image: null, images: [], lock: { held: false } })
    expect(calls.some((c) => c.startsWith('container inspect --format {"id"'))).toBe(false)
  })

  it('a running proxy whose list fails gives routes null and says why', () => {
    const { stdout } = observeWith({ ...FULL, list: { out: 'Error: dial unix /tmp/kamal-proxy.sock: connect: connection refused\n', rc: 1 } })
    const s = parseObservation(stdout)
    expect(s.routes).toBeNull()
    expect(s.routesError).toMatch(/kamal-proxy list failed \(exit 1\): Error: dial unix/)
  })

  it('docker unusable → a clear error with its message', () => {
    const down = { out: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n', rc: 1 }
    const { stdout } = observeWith({ ...FULL, network: down, proxy: down, ps: down, image: down, images: down })
    expect(() => parseObservation(stdout)).toThrow(/docker is not usable on this host: listing containers failed: Cannot connect to the Docker daemon/)
  })

  it('no docker CLI at all → the same clear error', () => {
    const { stdout } = observeWith({ ...FULL, ps: { out: 'sh: 1: docker: not found\n', rc: 127 } })
    expect(() => parseObservation(stdout)).toThrow(/docker is not usable on this host: listing containers failed: sh: 1: docker: not found/)
  })

  it('docker inspect failing (twice) → a clear error, never "no containers"', () => {
    const { stdout, calls } = observeWith({ ...FULL, containers: { out: 'template parsing error: map has no entry for key "Health"\n', rc: 1 } })
    expect(() => parseObservation(stdout)).toThrow(/listing containers failed: template parsing error/)
    expect(calls.filter((c) => c.startsWith('container inspect --format {"id"'))).toHaveLength(2)
  })

  it('docker ps failing → a clear error', () => {
    const { stdout } = observeWith({ ...FULL, ps: { out: 'permission denied while trying to connect to the Docker daemon socket\n', rc: 1 } })
    expect(() => parseObservation(stdout)).toThrow(/listing containers failed: permission denied/)
  })
})

describe('parseObservation: garbage', () => {
  const good = (): string => observeWith(FULL).stdout

  it.each([
    ['empty output', ''],
    ['a login banner', 'Welcome to Ubuntu\n'],
  ])('%s', (_, out) => {
    expect(() => parseObservation(out)).toThrow(ObservationError)
    expect(() => parseObservation(out)).toThrow(/incomplete or not ours/)
  })

  it('truncated output (no done marker)', () => {
    expect(() => parseObservation(good().replace(`${MARK}:done\n`, ''))).toThrow(/incomplete/)
  })

  it('a missing section', () => {
    const out = good()
    const without = out.replace(new RegExp(`${MARK}:begin images[\\s\\S]*?${MARK}:end images \\d+\\n`), '')
    expect(() => parseObservation(without)).toThrow(/no complete "images" section/)
  })

  it('an unreadable container line', () => {
    const { stdout } = observeWith({ ...FULL, containers: { out: 'not json\n' } })
    expect(() => parseObservation(stdout)).toThrow(/unreadable line in the "containers" section: "not json"/)
  })

  it('a container without an id', () => {
    const { stdout } = observeWith({ ...FULL, containers: { out: '{"name":"/x"}\n' } })
    expect(() => parseObservation(stdout)).toThrow(/no valid id/)
  })

  it('every section is asked for, in one script', () => {
    const argv = observe(query)
    expect(argv.slice(0, 2)).toEqual(['sh', '-c'])
    for (const s of SECTIONS) expect(argv[2]).toContain(`${MARK}:begin ${s}`)
  })

  it('hostile query values stay literal (the lock dir is a value, not code)', () => {
    const home = tempDir('home')
    const docker = fakeDockerCli(FULL)
    const r = runInSh(observe({ ...query, lockDir: '.kamal/lock-$(touch pwned)' }), home, docker.env)
    expect(parseObservation(r.stdout).lock).toEqual({ held: false })
    expect(runInSh(['test', '-e', 'pwned'], home).code).not.toBe(0)
  })
})
