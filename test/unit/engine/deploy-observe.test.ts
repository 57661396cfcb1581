import { describe, expect, it } from 'vitest'
import { deploy, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { memoryLogger } from '../../../src/log.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { runningAppCanned, runningDesired, runningWant } from '../helpers/running-app.js'

// deploy() against one host whose commands run in a real sh, with the fake docker CLI: what the
// engine asks the host on an unchanged deploy, and on one with work.
const d = runningDesired
const want = runningWant
const canned = runningAppCanned

function fakeHost(c: Canned): { host: RemoteHost; calls: () => string[] } {
  const home = tempDir('home')
  const docker = fakeDockerCli(c)
  const host: RemoteHost = {
    name: 'vm1',
    exec: async (argv) => runInSh(argv, home, docker.env),
    upload: async () => undefined,
    close: async () => undefined,
  }
  return { host, calls: docker.calls }
}

const request: ConvergeRequest = {
  version: 'v2',
  image: 'registry.test:5000/app:v2',
  targets: [{ host: 'vm1', roles: [d] }],
  lock: { host: 'vm1', app: { service: 'app', destination: null }, details: { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' } },
}

describe('deploy: what it asks the host', () => {
  it('unchanged: one first look (a formatted docker ps and the routes: 2 docker CLI runs), and nothing else', async () => {
    const f = fakeHost(canned(`${want.alias}:80`))
    const r = await deploy(request, { pool: { host: async () => f.host }, logger: memoryLogger(), redact: (t) => t })
    expect(r.hosts.map((h) => h.action)).toEqual(['unchanged'])
    expect([...f.calls()].sort()).toEqual(['exec kamal-proxy kamal-proxy list', expect.stringMatching(/^ps --all --no-trunc --format /)])
  })

  it('with work: the steps are planned from a full look under the lock (it lists the tags: the image is here, no pull)', async () => {
    const f = fakeHost(canned('some-other-container:80'))
    const r = await deploy(request, { pool: { host: async () => f.host }, logger: memoryLogger(), redact: (t) => t })
    const calls = f.calls()
    // First look (2 runs), full look under the lock (4: ps, inspect, routes, tags), then the plan's steps.
    expect([...calls.slice(0, 2)].sort()).toEqual(['exec kamal-proxy kamal-proxy list', expect.stringMatching(/^ps --all --no-trunc --format /)])
    expect([...calls.slice(2, 6)].sort()).toEqual([expect.stringMatching(/^container inspect /), 'exec kamal-proxy kamal-proxy list', expect.stringMatching(/^image ls /), 'ps --all --quiet --no-trunc'])
    expect(calls.some((c) => /pull|login/.test(c))).toBe(false)
    // The switch is the first step (the fake answers every `docker exec kamal-proxy` with success).
    expect(calls[6]).toMatch(/^exec kamal-proxy kamal-proxy deploy app-web /)
    expect(r.hosts.map((h) => h.action)).toEqual(['replaced'])
  })
})

describe('deploy: the latest tag (Kamal: once, on every host, after every boot group succeeded)', () => {
  // The fake docker CLI refuses writes it does not know; `docker tag` is answered here instead.
  const tagging = (c: Canned, exit = 0) => {
    const f = fakeHost(c)
    const tags: string[] = []
    const host: RemoteHost = {
      ...f.host,
      exec: async (argv, opts) => {
        if (argv[1] !== 'tag') return f.host.exec(argv, opts)
        tags.push(argv.join(' '))
        return { code: exit, stdout: '', stderr: exit ? 'no such image' : '' }
      },
    }
    return { host, tags }
  }
  const latest = { ...request, latestTag: 'registry.test:5000/app:latest' }

  it('a successful deploy tags the image as latest', async () => {
    const f = tagging(canned('some-other-container:80'))
    const r = await deploy(latest, { pool: { host: async () => f.host }, logger: memoryLogger(), redact: (t) => t })
    expect(r.hosts.map((h) => h.action)).toEqual(['replaced'])
    expect(f.tags).toEqual(['docker tag registry.test:5000/app:v2 registry.test:5000/app:latest'])
  })

  it('no latestTag (a PR preview): nothing is tagged', async () => {
    const f = tagging(canned('some-other-container:80'))
    await deploy(request, { pool: { host: async () => f.host }, logger: memoryLogger(), redact: (t) => t })
    expect(f.tags).toEqual([])
  })

  it('a failed deploy does not move the tag', async () => {
    const f = tagging(canned('some-other-container:80'))
    // The switch fails: kamal-proxy's `deploy` exits 1, as when the new container never gets healthy.
    const failing: RemoteHost = { ...f.host, exec: async (argv, opts) => (argv.includes('deploy') ? { code: 1, stdout: '', stderr: 'target failed to become healthy' } : f.host.exec(argv, opts)) }
    const r = await deploy(latest, { pool: { host: async () => failing }, logger: memoryLogger(), redact: (t) => t })
    expect(r.hosts.map((h) => h.action)).toEqual(['failed'])
    expect(f.tags).toEqual([])
  })

  it('a tag that fails is a warning, not a failed deploy', async () => {
    const f = tagging(canned('some-other-container:80'), 1)
    const logger = memoryLogger()
    const r = await deploy(latest, { pool: { host: async () => f.host }, logger, redact: (t) => t })
    expect(r.hosts.map((h) => h.action)).toEqual(['replaced'])
    expect(logger.lines).toContain('warn: [vm1] could not tag registry.test:5000/app:v2 as registry.test:5000/app:latest: no such image; the next deploy tags it')
  })
})
