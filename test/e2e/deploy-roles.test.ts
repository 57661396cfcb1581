import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { TestApp } from './support/app.js'
import { everything } from './support/cli.js'
import { HostReader, hosts } from './support/hosts.js'
import { version } from './support/http.js'
import { testbed } from './testbed.js'

// Two roles on two hosts: `web` (primary, behind kamal-proxy) on vm1 and `jobs` (no proxy, no
// health check of its own) on vm2. Kamal's barrier: jobs' new container may start at once, but
// its old one is stopped only once web is healthy somewhere; if web never gets healthy, jobs
// keeps its old container and the new one is removed.

const app = new TestApp('roles')
const reader = new HostReader()
const [web, jobs] = [hosts[0]!, hosts[1]!]

function writeConfig(): void {
  const config = {
    service: app.service,
    image: app.image,
    servers: {
      web: { hosts: [web.address] },
      jobs: { hosts: [jobs.address], cmd: `sh -c "trap 'exit 0' TERM; while :; do sleep 1; done"` },
    },
    proxy: { host: app.proxyHost, app_port: 80, healthcheck: { path: '/up', interval: 1, timeout: 2 } },
    registry: { server: testbed.registry.server, username: testbed.registry.username, password: ['KAMAL_REGISTRY_PASSWORD'] },
    ssh: { user: testbed.ssh.user },
    deploy_timeout: 8,
    drain_timeout: 2,
  }
  writeFileSync(join(app.dir, 'config/deploy.yml'), stringify(config))
}

const running = async (role: string) =>
  (await reader.containers(jobs, app.service)).filter((c) => c.labels['role'] === role && c.state === 'running').map((c) => c.version)

beforeAll(() => {
  app.configure({})
  writeConfig()
  app.buildImage('v1')
  app.buildImage('v2', 'broken')
  app.buildImage('v3')
})

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
})

describe('roles and the barrier', () => {
  it('boots web on vm1 and jobs on vm2', async () => {
    const r = await app.deploy('v1')
    expect(r.code, everything(r)).toBe(0)
    expect(r.json?.hosts.map((h) => [h.host, h.role, h.action])).toEqual([
      [web.address, 'web', 'booted'],
      [jobs.address, 'jobs', 'booted'],
    ])
    expect(await version(web.httpUrl, app.proxyHost)).toBe('v1')
    expect(await running('jobs')).toEqual(['v1'])
  })

  it('a web image that never gets healthy: jobs keeps its old container, its new one is removed', async () => {
    const r = await app.deploy('v2')
    expect(r.code).toBe(1)
    const byRole = new Map(r.json?.hosts.map((h) => [h.role, h]))
    expect(byRole.get('web')?.action).toBe('failed')
    expect(byRole.get('jobs')?.action).toBe('failed')
    // Held back by the barrier, or switched back by the fleet rollback (the verify window's): either way jobs keeps its previous version.
    expect(byRole.get('jobs')?.error).toMatch(/the primary role did not become healthy on any host; kept the previous version|rolled back: the fleet rolls back because .* web: /)
    expect(await version(web.httpUrl, app.proxyHost)).toBe('v1')
    const jobsContainers = (await reader.containers(jobs, app.service)).filter((c) => c.labels['role'] === 'jobs')
    expect(jobsContainers.filter((c) => c.state === 'running').map((c) => c.version)).toEqual(['v1'])
    expect(jobsContainers.map((c) => c.version)).not.toContain('v2')
    const lock = await app.run(['lock', 'status'])
    expect(lock.stdout).toContain('is free')
  })

  it('a good version: web switches first, then jobs stops its old container', async () => {
    const r = await app.deploy('v3')
    expect(r.code, everything(r)).toBe(0)
    expect(r.json?.hosts.map((h) => h.action)).toEqual(['replaced', 'replaced'])
    expect(r.stderr).toContain('waiting for the web role to be healthy before stopping the old container')
    expect(await version(web.httpUrl, app.proxyHost)).toBe('v3')
    expect(await running('jobs')).toEqual(['v3'])
  })
})
