import { describe, expect, it } from 'vitest'
import { shellJoin } from '../../../src/argv/shell-join.js'
import { deploy, dryRun, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { memoryLogger } from '../../../src/log.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { desired } from '../plan/fixtures.js'

// vm1 is free (nothing there yet: it has work); on vm2 another cutover app, `blog`, serves app.test.
// The run must change neither host: only the read-only first look reaches either one.
const BLOG = 'b'.repeat(64)
const PROXY = 'c'.repeat(64)
const blogLabels = { service: 'blog', role: 'web', destination: '', 'cutover.version': 'v7', 'cutover.digest': 'f'.repeat(64) }
const none = { service: '', role: '', destination: '', 'cutover.version': '', 'cutover.digest': '' }

const free: Canned = { listing: { out: '' }, ps: { out: '' }, containers: { out: '' }, list: { out: kamalProxyTable([]) }, images: { out: '' } }
const held: Canned = {
  listing: {
    out: [
      JSON.stringify({ id: BLOG, names: 'blog-web-v7', state: 'running', image: 'registry.test:5000/blog:v7', networks: 'kamal', labels: blogLabels }),
      JSON.stringify({ id: PROXY, names: 'kamal-proxy', state: 'running', image: 'basecamp/kamal-proxy:v0.9.2', networks: 'kamal', labels: none }),
    ].join('\n') + '\n',
  },
  list: { out: kamalProxyTable([['blog-web', 'app.test', '/', `cutover-${'f'.repeat(24)}:80`, 'running', 'no']]) },
}

function fakeHost(name: string, c: Canned): { host: RemoteHost; sent: string[] } {
  const home = tempDir(name)
  const docker = fakeDockerCli(c)
  const sent: string[] = []
  return {
    sent,
    host: {
      name,
      exec: async (argv) => {
        sent.push(shellJoin(argv))
        return argv[0] === 'docker' ? { code: 0, stdout: 'running\n', stderr: '' } : runInSh(argv, home, docker.env)
      },
      upload: async () => undefined,
      close: async () => undefined,
    },
  }
}

const request: ConvergeRequest = {
  version: 'v2',
  image: 'registry.test:5000/app:v2',
  targets: ['vm1', 'vm2'].map((h) => ({ host: h, roles: [desired({ host: h })] })),
  lock: { host: 'vm1', app: { service: 'app', destination: null }, details: { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' } },
}

describe('deploy: a host name held by another service on one host', () => {
  it('changes no host (not even the free one), and names the holder and the --service fix', async () => {
    const vm1 = fakeHost('vm1', free)
    const vm2 = fakeHost('vm2', held)
    const hosts: Record<string, RemoteHost> = { vm1: vm1.host, vm2: vm2.host }
    const r = await deploy(request, { pool: { host: async (n) => hosts[n]! }, logger: memoryLogger(), redact: (t) => t })
    // One read-only look each: no lock, no pull, no run.
    expect(vm1.sent).toHaveLength(1)
    expect(vm2.sent).toHaveLength(1)
    expect(vm1.sent[0]).toMatch(/^sh -c/)
    expect(r.changed).toBe(false)
    expect(r.hosts.map((h) => [h.host, h.action])).toEqual([['vm1', 'failed'], ['vm2', 'failed']])
    expect(r.hosts[1]?.error).toBe(
      'app.test is already served by service blog (kamal-proxy service blog-web, container blog-web-v7, image registry.test:5000/blog:v7, cutover-managed), not by app-web; nothing was changed. ' +
        "Fix: to replace it with zero downtime, deploy as that service: --service blog (the Action's `service: blog`)",
    )
    expect(r.hosts[0]?.error).toBe('not deployed: the host name is held by another service on vm2 (see there); nothing was changed')
  })

  it('--dry-run says the same for that host', async () => {
    const line = (o: object) => JSON.stringify({ created: '2025-01-01T00:00:00Z', health: null, network: 'kamal', ...o })
    const containers = [
      line({ id: BLOG, name: '/blog-web-v7', state: 'running', image: 'sha256:b', ref: 'registry.test:5000/blog:v7', labels: blogLabels }),
      line({ id: PROXY, name: '/kamal-proxy', state: 'running', image: 'sha256:p', ref: 'basecamp/kamal-proxy:v0.9.2', labels: null }),
    ]
    const vm2 = fakeHost('vm2', { ...held, ps: { out: `${BLOG}\n${PROXY}\n` }, containers: { out: `${containers.join('\n')}\n` }, images: { out: '' } })
    const plans = await dryRun({ ...request, targets: [request.targets[1]!] }, { pool: { host: async () => vm2.host }, logger: memoryLogger(), redact: (t) => t })
    expect(plans[0]?.error).toMatch(/^app\.test is already served by service blog \(kamal-proxy service blog-web, container blog-web-v7, image registry\.test:5000\/blog:v7, cutover-managed\)/)
  })
})
