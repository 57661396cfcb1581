import { describe, expect, it } from 'vitest'
import { shellJoin } from '../../../src/argv/shell-join.js'
import { deploy, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { memoryLogger } from '../../../src/log.js'
import { ConnectionBound } from '../../../src/remote/bound.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { desired } from '../plan/fixtures.js'

// The connection bound (remote/bound.ts) under the real engine: Kamal's barrier (a worker's old
// container is stopped only once the primary role is healthy somewhere) and boot groups, with a
// bound smaller than the fleet, down to 1. Worker hosts come FIRST in the targets here, the worst
// order: they take the slots first and then wait on the barrier, while the primary host needs one.

const OLD = 'b'.repeat(64)
const image = `{"id":"${desired().imageId}","repository":"registry.test:5000/app","tag":"v2","digest":"<none>"}\n`
const line = (o: object) => JSON.stringify({ created: '2025-01-01T00:00:00Z', health: null, network: 'kamal', ...o })
const jobsLabels = { service: 'app', role: 'jobs', destination: '', 'cutover.version': 'v1', 'cutover.digest': 'old-digest' }
// A worker host: jobs v1 runs (so its plan has a `stop`, held by the barrier); v2's image is there.
const workerHost: Canned = {
  listing: { out: `${JSON.stringify({ id: OLD, names: 'app-jobs-v1', state: 'running', image: 'registry.test:5000/app:v1', networks: 'kamal', labels: jobsLabels })}\n` },
  ps: { out: `${OLD}\n` },
  containers: { out: `${line({ id: OLD, name: '/app-jobs-v1', state: 'running', image: `sha256:${'1'.repeat(64)}`, ref: 'registry.test:5000/app:v1', labels: jobsLabels })}\n` },
  list: { out: kamalProxyTable([]) },
  images: { out: image },
}
// A web host: kamal-proxy runs, nothing of the app yet.
const PROXY_ID = 'c'.repeat(64)
const webHost: Canned = {
  listing: { out: `${JSON.stringify({ id: PROXY_ID, names: 'kamal-proxy', state: 'running', image: 'basecamp/kamal-proxy:v0.9.2', networks: 'kamal', labels: { service: '', role: '', destination: '', 'cutover.version': '', 'cutover.digest': '' } })}\n` },
  ps: { out: `${PROXY_ID}\n` },
  containers: { out: `${line({ id: PROXY_ID, name: '/kamal-proxy', state: 'running', image: 'sha256:p', ref: 'basecamp/kamal-proxy:v0.9.2', labels: null })}\n` },
  list: { out: kamalProxyTable([]) },
  images: { out: image },
}

/** The whole fleet's log of events, in order, and its connections as sshd would count them. */
interface Fleet {
  events: string[]
  open: number
  peak: number
  dials: number
}

/**
 * One fake host: observe and the lock run in a real sh against a fake docker CLI; the plan's own
 * docker commands succeed after a short while (a health poll says running). Each dial is one
 * connection, counted open until its close().
 */
function dialer(canned: Record<string, Canned>, fleet: Fleet) {
  const homes = new Map(Object.keys(canned).map((h) => [h, { home: tempDir(h), docker: fakeDockerCli(canned[h]!) }]))
  return async (name: string): Promise<RemoteHost> => {
    const { home, docker } = homes.get(name)!
    await new Promise((r) => setTimeout(r, 1))
    fleet.open++
    fleet.dials++
    fleet.peak = Math.max(fleet.peak, fleet.open)
    let closed = false
    return {
      name,
      exec: async (argv) => {
        if (closed) throw new Error(`${name}: command on a closed connection`)
        const cmd = shellJoin(argv)
        if (argv[0] === 'docker' || cmd.includes('network create')) {
          await new Promise((r) => setTimeout(r, 3))
          if (argv[1] === 'stop' || cmd.includes('kamal-proxy deploy')) fleet.events.push(`${name} ${argv[1] === 'stop' ? 'stop' : 'switch'}`)
          return { code: 0, stdout: 'running\n', stderr: '' }
        }
        return runInSh(argv, home, docker.env)
      },
      upload: async () => undefined,
      close: async () => {
        if (!closed) (closed = true), fleet.open--
      },
    }
  }
}

function request(hosts: [string, 'web' | 'jobs'][], boot?: { limit: number; waitS: number }): ConvergeRequest {
  return {
    version: 'v2',
    image: 'registry.test:5000/app:v2',
    targets: hosts.map(([host, role]) => ({ host, roles: [role === 'web' ? desired({ host }) : desired({ host, role: 'jobs', proxy: null })] })),
    primaryRole: 'web',
    ...(boot ? { boot } : {}),
    lock: { host: hosts[0]![0], app: { service: 'app', destination: null }, details: { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' } },
  }
}

async function run(hosts: [string, 'web' | 'jobs'][], max: number, boot?: { limit: number; waitS: number }) {
  const fleet: Fleet = { events: [], open: 0, peak: 0, dials: 0 }
  const dial = dialer(Object.fromEntries(hosts.map(([h, role]) => [h, role === 'web' ? webHost : workerHost])), fleet)
  const bound = new ConnectionBound((target) => dial(target), max, { graceMs: 2 })
  const logger = memoryLogger()
  const result = await deploy(request(hosts, boot), { pool: bound, logger, redact: (t) => t })
  await bound.closeAll()
  return { result, fleet, logger, bound }
}

const actions = (r: Awaited<ReturnType<typeof run>>) => r.result.hosts.map((h) => [h.host, h.role, h.action, h.error ?? ''])

describe('deploy with a connection bound smaller than the fleet', () => {
  it('bound 1, workers first: the barrier does not deadlock; workers stop their old container only after the primary switched', async () => {
    const r = await run([['vm1', 'jobs'], ['vm2', 'jobs'], ['vm3', 'web']], 1)
    expect(actions(r)).toEqual([
      ['vm1', 'jobs', 'replaced', ''],
      ['vm2', 'jobs', 'replaced', ''],
      ['vm3', 'web', 'booted', ''],
    ])
    expect(r.fleet.peak).toBe(1)
    expect(r.bound.peak).toBe(1)
    const switched = r.fleet.events.indexOf('vm3 switch')
    expect(switched).toBeGreaterThanOrEqual(0)
    expect(r.fleet.events.indexOf('vm1 stop')).toBeGreaterThan(switched)
    expect(r.fleet.events.indexOf('vm2 stop')).toBeGreaterThan(switched)
    expect(r.logger.lines.join('\n')).toContain('waiting for the web role to be healthy before stopping the old container')
  }, 30_000)

  it('bound 1 with boot groups of 1 (Kamal boot.limit) and the barrier: every group converges, one connection at a time', async () => {
    const r = await run([['vm1', 'web'], ['vm2', 'jobs'], ['vm3', 'web'], ['vm4', 'jobs']], 1, { limit: 1, waitS: 0 })
    expect(actions(r)).toEqual([
      ['vm1', 'web', 'booted', ''],
      ['vm2', 'jobs', 'replaced', ''],
      ['vm3', 'web', 'booted', ''],
      ['vm4', 'jobs', 'replaced', ''],
    ])
    expect(r.fleet.peak).toBe(1)
    expect(r.logger.lines.join('\n')).toContain('boot group 4 of 4: vm4')
  }, 30_000)

  it('bound 2 over 6 hosts, boot groups of 3, workers first in each group: all converge, never more than 2 open', async () => {
    const hosts: [string, 'web' | 'jobs'][] = [['vm1', 'jobs'], ['vm2', 'jobs'], ['vm3', 'web'], ['vm4', 'jobs'], ['vm5', 'jobs'], ['vm10', 'web']]
    const r = await run(hosts, 2, { limit: 3, waitS: 0 })
    expect(actions(r)).toEqual(hosts.map(([h, role]) => [h, role, role === 'web' ? 'booted' : 'replaced', '']))
    expect(r.fleet.peak).toBe(2)
    expect(r.fleet.events.indexOf('vm1 stop')).toBeGreaterThan(r.fleet.events.indexOf('vm3 switch'))
    // Host prefixes padded to the longest name: vm1's and vm10's lines start their text in one column.
    const said = r.logger.lines.join('\n')
    expect(said).toMatch(/\[vm1\]  jobs: /)
    expect(said).toMatch(/\[vm10\] web: /)
  }, 30_000)

  it('a bound at least the fleet: one connection per host for the whole run (no redials)', async () => {
    const r = await run([['vm1', 'jobs'], ['vm2', 'web'], ['vm3', 'web']], 3)
    expect(actions(r).map((a) => a[2]), JSON.stringify(actions(r))).toEqual(['replaced', 'booted', 'booted'])
    expect(r.fleet.dials).toBe(3)
  }, 30_000)
})
