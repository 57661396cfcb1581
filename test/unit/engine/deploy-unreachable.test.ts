import { describe, expect, it } from 'vitest'
import { shellJoin } from '../../../src/argv/shell-join.js'
import { deploy, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { memoryLogger } from '../../../src/log.js'
import { RemoteError } from '../../../src/remote/errors.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { desired } from '../plan/fixtures.js'

// All or nothing at the start: vm1 answers and has work (nothing of the app runs there yet); vm2 and
// vm3 cannot be reached. Without the opt-in no command that changes anything reaches vm1.
// v2's image is already on vm1 (no pull).
const empty: Canned = {
  listing: { out: '' }, ps: { out: '' }, containers: { out: '' }, list: { out: kamalProxyTable([]) },
  images: { out: `{"id":"${desired().imageId}","repository":"registry.test:5000/app","tag":"v2","digest":"<none>"}\n` },
}

function fakeHost(name: string): { host: RemoteHost; sent: string[] } {
  const home = tempDir(name)
  const docker = fakeDockerCli(empty)
  const sent: string[] = []
  return {
    sent,
    host: {
      name,
      exec: async (argv) => {
        sent.push(shellJoin(argv))
        // The plan's own docker commands (and the network's `sh -c` ensure) succeed; observe and the lock run in sh.
        const plans = argv[0] === 'docker' || argv.join(' ').includes('network create')
        return plans ? { code: 0, stdout: 'running\n', stderr: '' } : runInSh(argv, home, docker.env)
      },
      upload: async () => undefined,
      close: async () => undefined,
    },
  }
}

const request = (allowUnreachable?: boolean): ConvergeRequest => ({
  version: 'v2',
  image: 'registry.test:5000/app:v2',
  targets: ['vm1', 'vm2', 'vm3'].map((h) => ({ host: h, roles: [desired({ host: h, role: 'jobs', proxy: null })] })),
  lock: { host: 'vm1', app: { service: 'app', destination: null }, details: { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' } },
  ...(allowUnreachable === undefined ? {} : { allowUnreachable }),
})

const pool = (vm1: RemoteHost) => ({
  host: async (name: string): Promise<RemoteHost> => {
    if (name === 'vm1') return vm1
    throw new RemoteError(`${name} (root@10.0.0.9): cannot connect: connection timed out`)
  },
})

describe('deploy: a host that cannot be reached at the start', () => {
  it('changes no host, and every result lists each unreachable host with its reason', async () => {
    const one = fakeHost('vm1')
    const logger = memoryLogger()
    const r = await deploy(request(), { pool: pool(one.host), logger, redact: (t) => t })
    // Only the read-only first look went to vm1: no lock, no run, nothing written.
    expect(one.sent).toHaveLength(1)
    expect(one.sent[0]).toMatch(/^sh -c/)
    expect(r.hosts.map((h) => [h.host, h.action])).toEqual([['vm1', 'failed'], ['vm2', 'failed'], ['vm3', 'failed']])
    expect(r.hosts[0]?.error).toMatch(/not changed: vm2, vm3 could not be reached/)
    expect(r.hosts[1]?.error).toMatch(/unreachable: vm2 \(root@10\.0\.0\.9\): cannot connect: connection timed out; no host was changed/)
    expect(r.changed).toBe(false)
    const said = logger.lines.join('\n')
    expect(said).toMatch(/error: 2 of 3 hosts could not be reached or observed, so no host was changed:\nerror: {3}vm2: vm2 .*connection timed out\nerror: {3}vm3: .*\nerror: Fix the connection .*--allow-unreachable/)
  })

  it('--allow-unreachable: the reachable host is deployed, the others fail with their reason', async () => {
    const one = fakeHost('vm1')
    const logger = memoryLogger()
    const r = await deploy(request(true), { pool: pool(one.host), logger, redact: (t) => t })
    expect(r.hosts.map((h) => [h.host, h.action, h.error ?? ''])).toEqual([['vm1', 'booted', ''], ['vm2', 'failed', expect.stringMatching(/vm2 .*connection timed out/)], ['vm3', 'failed', expect.stringMatching(/vm3 /)]])
    expect(one.sent.some((c) => c.startsWith('docker run'))).toBe(true)
    expect(logger.lines.join('\n')).toMatch(/going on without vm2, vm3 \(--allow-unreachable\)/)
  })
})
