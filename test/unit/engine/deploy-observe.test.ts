import { describe, expect, it } from 'vitest'
import { desiredContainer } from '../../../src/plan/container.js'
import { deploy, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { memoryLogger } from '../../../src/log.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { desired } from '../plan/fixtures.js'

// deploy() against one host whose commands run in a real sh, with the fake docker CLI: what the
// engine asks the host on an unchanged deploy, and on one with work.
const d = desired()
const want = desiredContainer(d)
const ID = 'a'.repeat(64)
const PROXY_ID = 'c'.repeat(64)
const line = (o: object) => JSON.stringify({ created: '2025-01-01T00:00:00Z', health: null, network: 'kamal', ...o })
const labels = { service: 'app', role: 'web', destination: '', 'cutover.version': 'v2', 'cutover.digest': want.digest }
const canned = (routedTo: string): Canned => ({
  listing: {
    out: [
      JSON.stringify({ id: ID, names: 'app-web-v2', state: 'running', image: 'registry.test:5000/app:v2', networks: 'kamal', labels }),
      JSON.stringify({ id: PROXY_ID, names: 'kamal-proxy', state: 'running', image: 'basecamp/kamal-proxy:v0.9.2', networks: 'kamal', labels: { service: '', role: '', destination: '', 'cutover.version': '', 'cutover.digest': '' } }),
    ].join('\n') + '\n',
  },
  ps: { out: `${ID}\n${PROXY_ID}\n` },
  containers: {
    out: [
      line({ id: ID, name: '/app-web-v2', state: 'running', image: d.imageId, ref: 'registry.test:5000/app:v2', labels }),
      line({ id: PROXY_ID, name: '/kamal-proxy', state: 'running', image: 'sha256:p', ref: 'basecamp/kamal-proxy:v0.9.2', labels: null }),
    ].join('\n') + '\n',
  },
  list: { out: kamalProxyTable([['app-web', 'app.test', '/', routedTo, 'running', 'no']]) },
  images: { out: `{"id":"${d.imageId}","repository":"registry.test:5000/app","tag":"v2","digest":"<none>"}\n` },
})

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
