import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONTAINER_FORMAT, LIST_FORMAT, observe, MARK, SECTIONS } from '../../../src/argv/observe.js'
import { ObservationError, parseObservation } from '../../../src/argv/observation.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'

const query = { look: 'full', repository: 'registry.test:5000/app', lockDir: '.kamal/lock-app' } as const
const ID1 = 'a'.repeat(64)
const ID2 = 'b'.repeat(64)
const ID_PROXY = 'c'.repeat(64)
const ID_PREVIEW = 'e'.repeat(64)
const digest = 'd'.repeat(64)
const IMG = (n: number): string => `sha256:${String(n).repeat(64)}`

/** A line as CONTAINER_FORMAT prints it. */
const containerLine = (id: string, name: string, state: string, labels: Record<string, string | null> | null, over: Record<string, unknown> = {}) =>
  JSON.stringify({ id, name: `/${name}`, state, created: '2025-01-01T00:00:00.123456789Z', image: IMG(1), ref: 'registry.test:5000/app:v1', network: 'kamal', health: null, labels, ...over })
const appLabels = (version: string | null, d: string | null, service = 'app') => ({ service, role: 'web', destination: '', 'cutover.version': version, 'cutover.digest': d })

/** Run the real observe script in sh against canned docker answers; return stdout and the calls made. */
function observeWith(canned: Canned, prepareHome?: (home: string) => void) {
  const home = tempDir('home')
  prepareHome?.(home)
  const docker = fakeDockerCli(canned)
  const r = runInSh(observe(query), home, docker.env)
  expect(r.code).toBe(0)
  return { stdout: r.stdout, calls: docker.calls(), home }
}

const CONTAINERS = [
  containerLine(ID1, 'app-web-v2-rc.1', 'running', appLabels('v2-rc.1', digest), { image: IMG(2), ref: 'registry.test:5000/app:v2-rc.1' }),
  containerLine(ID2, 'app-web-v1', 'exited', appLabels(null, null)),
  containerLine(ID_PROXY, 'kamal-proxy', 'running', null, { image: IMG(9), ref: 'basecamp/kamal-proxy:v0.9.2' }),
  containerLine(ID_PREVIEW, 'app-pr-7-web-pr7', 'exited', appLabels('pr7', digest, 'app-pr-7'), { image: IMG(7), ref: 'registry.test:5000/app:pr7' }),
]

const FULL: Canned = {
  ps: { out: `${ID1}\n${ID2}\n${ID_PROXY}\n${ID_PREVIEW}\n` },
  containers: { out: `${CONTAINERS.join('\n')}\n` },
  list: { out: kamalProxyTable([['app-web', 'app.test', '/', `cutover-${digest.slice(0, 24)}:80`, 'running', 'no']]) },
  images: {
    out: [
      // One row per tag and registry digest, as `docker image ls --digests` prints them.
      `{"id":"${IMG(2)}","repository":"registry.test:5000/app","tag":"v2","digest":"sha256:${'3'.repeat(64)}"}`,
      `{"id":"${IMG(2)}","repository":"registry.test:5000/app","tag":"v2","digest":"sha256:${'4'.repeat(64)}"}`,
      `{"id":"${IMG(2)}","repository":"registry.test:5000/app","tag":"v2-rc.1","digest":"sha256:${'3'.repeat(64)}"}`,
      `{"id":"${IMG(1)}","repository":"registry.test:5000/app","tag":"v1","digest":"<none>"}`,
      `{"id":"${IMG(5)}","repository":"registry.test:5000/app","tag":"<none>","digest":"sha256:${'5'.repeat(64)}"}`,
    ].join('\n') + '\n',
  },
}

describe('observe: the script in a real sh, docker faked', () => {
  it('reads a busy host: every container, the proxy among them, routes, tags with digests, lock', () => {
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
      images: [
        { id: IMG(2), repository: 'registry.test:5000/app', tag: 'v2', digests: [`sha256:${'3'.repeat(64)}`, `sha256:${'4'.repeat(64)}`] },
        { id: IMG(2), repository: 'registry.test:5000/app', tag: 'v2-rc.1', digests: [`sha256:${'3'.repeat(64)}`] },
        { id: IMG(1), repository: 'registry.test:5000/app', tag: 'v1', digests: [] },
        { id: IMG(5), repository: 'registry.test:5000/app', tag: '<none>', digests: [`sha256:${'5'.repeat(64)}`] },
      ],
      lock: { held: true, details: { lockedBy: 'x', version: 'v1', message: 'm' } },
    })
    // Every container on the host, any service: versions come from labels (this one contains "-"), never from names.
    expect(s.containers.map((c) => [c.name, c.state, c.service, c.role, c.destination, c.version, c.digest, c.imageId])).toEqual([
      ['app-web-v2-rc.1', 'running', 'app', 'web', '', 'v2-rc.1', digest, IMG(2)],
      ['app-web-v1', 'exited', 'app', 'web', '', null, null, IMG(1)],
      ['kamal-proxy', 'running', '', '', '', null, null, IMG(9)],
      ['app-pr-7-web-pr7', 'exited', 'app-pr-7', 'web', '', 'pr7', digest, IMG(7)],
    ])
    // Four docker CLI runs, all read-only: the listing, one inspect of all of it, the routes, the tags.
    expect([...calls].sort()).toEqual([
      'ps --all --quiet --no-trunc',
      `container inspect --format ${CONTAINER_FORMAT} ${ID1} ${ID2} ${ID_PROXY} ${ID_PREVIEW}`,
      'exec kamal-proxy kamal-proxy list',
      `image ls --no-trunc --digests --format {"id":{{json .ID}},"repository":{{json .Repository}},"tag":{{json .Tag}},"digest":{{json .Digest}}} registry.test:5000/app`,
    ].sort())
  })

  it('a first look: one formatted docker ps and the routes (2 docker CLI runs), enough to tell whether there is work', () => {
    const home = tempDir('home')
    const psLine = (id: string, names: string, state: string, networks: string, labels: Record<string, string>, image = 'registry.test:5000/app:x') =>
      JSON.stringify({ id, names, state, image, networks, labels: { service: '', role: '', destination: '', 'cutover.version': '', 'cutover.digest': '', ...labels } })
    const docker = fakeDockerCli({
      ...FULL,
      listing: {
        out: [
          psLine(ID1, 'app-web-v2-rc.1', 'running', 'kamal', { service: 'app', role: 'web', 'cutover.version': 'v2-rc.1', 'cutover.digest': digest }),
          psLine(ID2, 'app-web-v1,legacy/alias', 'exited', 'kamal', { service: 'app', role: 'web' }),
          psLine(ID_PROXY, 'kamal-proxy', 'running', 'bridge,kamal', {}, 'basecamp/kamal-proxy:v0.9.2'),
        ].join('\n') + '\n',
      },
    })
    const r = runInSh(observe({ look: 'first', lockDir: query.lockDir }), home, docker.env)
    const s = parseObservation(r.stdout)
    expect(s).toMatchObject({ look: 'first', images: null, network: true, proxy: { state: 'running', image: 'basecamp/kamal-proxy:v0.9.2' }, routesError: null })
    expect(s.routes).toHaveLength(1)
    expect(s.containers.map((c) => [c.id, c.name, c.state, c.service, c.role, c.destination, c.version, c.digest, c.created, c.imageId, c.health])).toEqual([
      [ID1, 'app-web-v2-rc.1', 'running', 'app', 'web', '', 'v2-rc.1', digest, '', '', null],
      // ps prints an absent label as "": our own labels are then null, as inspect has them.
      [ID2, 'app-web-v1', 'exited', 'app', 'web', '', null, null, '', '', null],
      [ID_PROXY, 'kamal-proxy', 'running', '', '', '', null, null, '', '', null],
    ])
    expect([...docker.calls()].sort()).toEqual(['exec kamal-proxy kamal-proxy list', `ps --all --no-trunc --format ${LIST_FORMAT}`])
  })

  it('a first look on a host whose docker cannot answer: the same clear error', () => {
    const docker = fakeDockerCli({ ...FULL, listing: { out: 'permission denied while trying to connect to the Docker daemon socket\n', rc: 1 } })
    const r = runInSh(observe({ look: 'first', lockDir: query.lockDir }), tempDir('home'), docker.env)
    expect(() => parseObservation(r.stdout)).toThrow(/docker is not usable on this host: listing containers failed: permission denied/)
  })

  it('reads a bare host: no containers (so no proxy, no network seen), no tags, no lock', () => {
    const { stdout, calls } = observeWith({
      ps: { out: '' },
      list: { out: 'Error response from daemon: No such container: kamal-proxy\n', rc: 1 },
      images: { out: '' },
    })
    expect(parseObservation(stdout)).toMatchObject({ network: false, proxy: null, routes: null, routesError: null, containers: [], images: [], lock: { held: false } })
    expect(calls.some((c) => c.startsWith('container inspect'))).toBe(false)
  })

  it('a stopped proxy: routes are not read, and the network is not seen (nothing running on it)', () => {
    const { stdout } = observeWith({
      ...FULL,
      ps: { out: `${ID2}\n${ID_PROXY}\n` },
      containers: { out: `${CONTAINERS[1]}\n${containerLine(ID_PROXY, 'kamal-proxy', 'exited', null, { ref: 'basecamp/kamal-proxy:v0.9.2' })}\n` },
      list: { out: 'Error response from daemon: Container kamal-proxy is not running\n', rc: 1 },
    })
    expect(parseObservation(stdout)).toMatchObject({ network: false, proxy: { state: 'exited', image: 'basecamp/kamal-proxy:v0.9.2' }, routes: null, routesError: null })
  })

  it.each([
    ['on another network', false, { network: 'bridge' }],
    ['on the kamal network', true, { network: 'kamal' }],
  ])('a running app container %s: network seen %s', (_, seen, over) => {
    const { stdout } = observeWith({ ...FULL, ps: { out: `${ID1}\n` }, containers: { out: `${containerLine(ID1, 'x', 'running', null, over)}\n` } })
    expect(parseObservation(stdout).network).toBe(seen)
  })

  it('a running proxy whose list fails gives routes null and says why', () => {
    const { stdout } = observeWith({ ...FULL, list: { out: 'Error: dial unix /tmp/kamal-proxy.sock: connect: connection refused\n', rc: 1 } })
    const s = parseObservation(stdout)
    expect(s.routes).toBeNull()
    expect(s.routesError).toMatch(/kamal-proxy list failed \(exit 1\): Error: dial unix/)
  })

  it.each([
    ['Docker 20.10', (id: string) => `Error: No such container: ${id}\n`],
    ['Docker 28', (id: string) => `Error response from daemon: No such container: ${id}\n`],
  ])('a container removed between ps and inspect (%s wording) is simply gone; the others are read', (_, said) => {
    const { stdout } = observeWith({ ...FULL, containers: { out: `${CONTAINERS[0]}\n${CONTAINERS[2]}\n`, err: `${said(ID2)}${said(ID_PREVIEW)}`, rc: 1 } })
    expect(parseObservation(stdout).containers.map((c) => c.name)).toEqual(['app-web-v2-rc.1', 'kamal-proxy'])
  })

  it('every container removed between ps and inspect → no containers', () => {
    const { stdout } = observeWith({ ...FULL, containers: { out: '', err: `Error: No such container: ${ID1}\n`, rc: 1 } })
    expect(parseObservation(stdout)).toMatchObject({ containers: [], proxy: null, network: false })
  })

  it.each([
    ['a template error', { out: '', err: 'template parsing error: map has no entry for key "Health"\n', rc: 1 }, /listing containers failed: template parsing error/],
    ['a vanished container AND another error', { out: `${CONTAINERS[0]}\n`, err: `Error: No such container: ${ID2}\nError response from daemon: i/o timeout\n`, rc: 1 }, /listing containers failed: Error: No such container: b+ Error response from daemon: i\/o timeout/],
    ['a failure that says nothing', { out: `${CONTAINERS[0]}\n`, rc: 2 }, /listing containers failed: docker container inspect exited 2/],
  ])('inspect failing with %s → a clear error, never "no containers"', (_, containers, error) => {
    const { stdout } = observeWith({ ...FULL, containers })
    expect(() => parseObservation(stdout)).toThrow(error)
  })

  it('docker unusable → a clear error with its message', () => {
    const { stdout } = observeWith({ ...FULL, ps: { out: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n', rc: 1 } })
    expect(() => parseObservation(stdout)).toThrow(/docker is not usable on this host: listing containers failed: Cannot connect to the Docker daemon/)
  })

  it('no docker CLI at all → the same clear error', () => {
    const { stdout } = observeWith({ ...FULL, ps: { out: 'sh: 1: docker: not found\n', rc: 127 } })
    expect(() => parseObservation(stdout)).toThrow(/docker is not usable on this host: listing containers failed: sh: 1: docker: not found/)
  })

  it('docker ps failing → a clear error', () => {
    const { stdout } = observeWith({ ...FULL, ps: { out: 'permission denied while trying to connect to the Docker daemon socket\n', rc: 1 } })
    expect(() => parseObservation(stdout)).toThrow(/listing containers failed: permission denied/)
  })

  it('the inspect format asks for no env and no config beyond the labels we read (ours hold no secret values)', () => {
    expect(CONTAINER_FORMAT).not.toMatch(/Env|\.Config\.Labels|Cmd|Mounts/)
    expect(CONTAINER_FORMAT.match(/index \. "[^"]+"/g)).toEqual([
      'index . "Status"', 'index . "service"', 'index . "role"', 'index . "destination"', 'index . "cutover.version"', 'index . "cutover.digest"',
      'index . "cutover.settings"', 'index . "cutover.secrets"',
    ])
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

  it.each(['home', 'routes', 'containers', 'lock'])('a missing %s section', (section) => {
    const out = good()
    const without = out.replace(new RegExp(`${MARK}:begin ${section}[\\s\\S]*?${MARK}:end ${section} \\d+\\n`), '')
    expect(without).not.toBe(out)
    expect(() => parseObservation(without)).toThrow(new RegExp(`no complete "${section}" section`))
  })

  it('an unreadable container line', () => {
    const { stdout } = observeWith({ ...FULL, containers: { out: 'not json\n' } })
    expect(() => parseObservation(stdout)).toThrow(/unreadable line in the "containers" section: "not json"/)
  })

  it('a container without an id', () => {
    const { stdout } = observeWith({ ...FULL, containers: { out: '{"name":"/x"}\n' } })
    expect(() => parseObservation(stdout)).toThrow(/no valid id/)
  })

  it.each([
    ['full', query, ['home', 'routes', 'containers', 'images', 'lock', 'key']],
    ['first', { look: 'first', lockDir: query.lockDir } as const, ['home', 'routes', 'listing', 'lock']],
  ] as const)('a %s look asks for its sections, in one script', (_, q, sections) => {
    const argv = observe(q)
    expect(argv.slice(0, 2)).toEqual(['sh', '-c'])
    for (const s of SECTIONS) expect(argv[2]!.includes(`${MARK}:begin ${s}`)).toBe((sections as readonly string[]).includes(s))
  })

  it('hostile query values stay literal (the lock dir and repository are values, not code)', () => {
    const home = tempDir('home')
    const docker = fakeDockerCli(FULL)
    const r = runInSh(observe({ look: 'full', repository: "reg/app'$(touch pwned2)", lockDir: '.kamal/lock-$(touch pwned)' }), home, docker.env)
    expect(parseObservation(r.stdout).lock).toEqual({ held: false })
    expect(runInSh(['test', '-e', 'pwned'], home).code).not.toBe(0)
    expect(runInSh(['test', '-e', 'pwned2'], home).code).not.toBe(0)
    expect(docker.calls()).toContain(`image ls --no-trunc --digests --format {"id":{{json .ID}},"repository":{{json .Repository}},"tag":{{json .Tag}},"digest":{{json .Digest}}} reg/app'$(touch pwned2)`)
  })
})
