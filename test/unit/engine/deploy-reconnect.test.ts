import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { shellJoin } from '../../../src/argv/shell-join.js'
import { containerName, lockDirectory } from '../../../src/argv/names.js'
import { deploy, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { memoryLogger } from '../../../src/log.js'
import { RemoteError } from '../../../src/remote/errors.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { desired } from '../plan/fixtures.js'

// A host whose connection drops between the observe under the lock and its steps: its dial fails
// again when its roles run. That host fails; the other host's result, Kamal's barrier and the
// lock's release must not go down with it.
const web = desired({ host: 'vm2' })
const jobs = desired({ role: 'jobs', proxy: null, host: 'vm1' })
const OLD = 'b'.repeat(64)
const oldLabels = { service: 'app', role: 'jobs', destination: '', 'cutover.version': 'v1', 'cutover.digest': 'old-digest' }
const line = (o: object) => JSON.stringify({ created: '2025-01-01T00:00:00Z', health: null, network: 'kamal', ...o })

// vm1: the jobs role runs v1; v2's image is already there (no pull). vm2: nothing yet.
const vm1: Canned = {
  listing: { out: `${JSON.stringify({ id: OLD, names: 'app-jobs-v1', state: 'running', image: 'registry.test:5000/app:v1', networks: 'kamal', labels: oldLabels })}\n` },
  ps: { out: `${OLD}\n` },
  containers: { out: `${line({ id: OLD, name: '/app-jobs-v1', state: 'running', image: `sha256:${'1'.repeat(64)}`, ref: 'registry.test:5000/app:v1', labels: oldLabels })}\n` },
  list: { out: kamalProxyTable([]) },
  images: { out: `{"id":"${jobs.imageId}","repository":"registry.test:5000/app","tag":"v2","digest":"<none>"}\n` },
}
const vm2: Canned = { listing: { out: '' }, ps: { out: '' }, containers: { out: '' }, list: { out: kamalProxyTable([]) }, images: { out: '' } }

/**
 * Commands run in a real sh in the host's home (observe and its fake docker CLI, the lock, the
 * audit log), except the plan's own docker commands (run, health, stop, rm…): those succeed, a
 * health poll saying running.
 */
function fakeHost(name: string, canned: Canned): { host: RemoteHost; home: string; sent: string[] } {
  const home = tempDir(name)
  const docker = fakeDockerCli(canned)
  const sent: string[] = []
  const host: RemoteHost = {
    name,
    exec: async (argv) => {
      sent.push(shellJoin(argv))
      return argv[0] === 'docker' ? { code: 0, stdout: 'running\n', stderr: '' } : runInSh(argv, home, docker.env)
    },
    upload: async () => undefined,
    close: async () => undefined,
  }
  return { host, home, sent }
}

describe('deploy: a host whose connection is lost before its steps', () => {
  it('fails that host only; the barrier closes, every result comes back, the lock is released after', async () => {
    const one = fakeHost('vm1', vm1)
    const two = fakeHost('vm2', vm2)
    let vm2Dials = 0
    const pool = {
      host: async (name: string): Promise<RemoteHost> => {
        if (name === 'vm1') return one.host
        // First look and the look under the lock connect; the dial for its steps fails.
        vm2Dials += 1
        if (vm2Dials >= 3) throw new RemoteError('vm2 (root@10.0.0.2): cannot connect: nothing accepts connections on port 22')
        return two.host
      },
    }
    const request: ConvergeRequest = {
      version: 'v2',
      image: 'registry.test:5000/app:v2',
      targets: [
        { host: 'vm1', roles: [jobs] },
        { host: 'vm2', roles: [web] },
      ],
      primaryRole: 'web',
      lock: { host: 'vm1', app: { service: 'app', destination: null }, details: { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' } },
    }
    const result = await deploy(request, { pool, logger: memoryLogger(), redact: (t) => t })

    expect(vm2Dials).toBe(3)
    expect(result.hosts.map((h) => [h.host, h.role, h.action])).toEqual([
      ['vm1', 'jobs', 'failed'],
      ['vm2', 'web', 'failed'],
    ])
    expect(result.hosts[1]!.error).toBe('vm2 (root@10.0.0.2): cannot connect: nothing accepts connections on port 22')
    // The worker started v2 but, with the primary role down everywhere, kept v1 and removed v2.
    expect(result.hosts[0]!.error).toMatch(/^the primary role did not become healthy on any host; kept the previous version/)
    expect(one.sent.some((c) => c.startsWith('docker stop'))).toBe(false)
    expect(one.sent).toContain(shellJoin(['docker', 'rm', '--force', containerName(jobs, 'v2')]))
    expect(existsSync(join(one.home, lockDirectory({ service: 'app', destination: null })))).toBe(false)
  })
})
