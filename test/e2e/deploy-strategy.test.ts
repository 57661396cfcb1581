import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { TestApp } from './support/app.js'
import { everything } from './support/cli.js'
import { HostReader, hosts, type TestHost } from './support/hosts.js'
import { startLoad, version } from './support/http.js'
import { testbed } from './testbed.js'

// Issue 10, items 3, 5 and 6 on the real testbed: a recreate role next to a blue-green role in one
// deploy; rolling boot groups with a broken image; Kamal's latest tag moving only after success.

const reader = new HostReader()
const [vm1, vm2] = [hosts[0]!, hosts[1]!]
const registry = { server: testbed.registry.server, username: testbed.registry.username, password: ['KAMAL_REGISTRY_PASSWORD'] }
const healthcheck = { path: '/up', interval: 1, timeout: 2 }

function write(app: TestApp, config: Record<string, unknown>): void {
  writeFileSync(join(app.dir, 'config/deploy.yml'), stringify({ service: app.service, image: app.image, registry, ssh: { user: testbed.ssh.user }, ...config }))
}

/** The image id a tag points at on a host ('' when the tag is not there). */
const tagId = (h: TestHost, ref: string): Promise<string> => reader.sh(h, 'docker image inspect --format "{{.Id}}" "$1" 2>/dev/null || true', ref).then((s) => s.trim())

describe('deploy strategies: recreate next to blue-green', () => {
  const app = new TestApp('h4strat')
  const adminHost = `admin-${app.proxyHost}`

  beforeAll(() => {
    app.configure({})
    write(app, {
      servers: {
        web: { hosts: [vm1.address] },
        admin: { hosts: [vm2.address], proxy: { host: adminHost, app_port: 80, healthcheck } },
      },
      proxy: { host: app.proxyHost, app_port: 80, healthcheck },
      'x-cutover': { roles: { admin: { strategy: 'recreate' } } },
      deploy_timeout: 20,
      drain_timeout: 2,
      // busybox httpd ignores SIGTERM: `docker stop` waits this long before SIGKILL.
      stop_timeout: 2,
    })
    app.buildImage('v1')
    app.buildImage('v2')
  })
  afterAll(async () => {
    await app.cleanup(reader)
  })

  it('boots both roles', async () => {
    const r = await app.deploy('v1')
    expect(r.code, everything(r)).toBe(0)
    expect(r.json?.hosts.map((h) => `${h.role}:${h.action}`).sort()).toEqual(['admin:booted', 'web:booted'])
    expect(await version(vm1.httpUrl, app.proxyHost)).toBe('v1')
    expect(await version(vm2.httpUrl, adminHost)).toBe('v1')
  })

  it('v2 under load: blue-green web drops nothing; recreate admin has a measured, reported gap', async () => {
    const load = startLoad(
      [
        { name: 'web', baseUrl: vm1.httpUrl, host: app.proxyHost },
        { name: 'admin', baseUrl: vm2.httpUrl, host: adminHost },
      ],
      { expect: ['v1', 'v2'], maxRequests: 20_000, maxMs: 150_000, gapMs: 20 },
    )
    const r = await app.deploy('v2').catch(async (e: unknown) => {
      await load.stop()
      throw e
    })
    const report = await load.stop(50)
    expect(r.code, everything(r)).toBe(0)
    expect(report.capped, 'the load covered the whole deploy').toBe(false)
    const byRole = new Map(r.json?.hosts.map((h) => [h.role, h as typeof h & { downtimeMs?: number }]))
    const webFailed = report.failed.filter((f) => f.target === 'web')
    const adminFailed = report.failed.filter((f) => f.target === 'admin')
    const downtime = byRole.get('admin')?.downtimeMs
    console.info(`h4strat: ${report.sent} requests; web failed ${webFailed.length}; admin failed ${adminFailed.length}; admin downtime reported ${downtime} ms; deploy ${r.ms} ms`)
    expect(byRole.get('web')?.action).toBe('replaced')
    expect(byRole.get('admin')?.action).toBe('replaced')
    expect(webFailed, 'blue-green drops no request').toEqual([])
    expect(byRole.get('web')).not.toHaveProperty('downtimeMs')
    // The old admin container is stopped before the new one runs: a real gap, measured by the run.
    expect(downtime).toBeGreaterThan(0)
    expect(adminFailed.length, 'recreate really stopped serving for a while').toBeGreaterThan(0)
    expect(await version(vm1.httpUrl, app.proxyHost)).toBe('v2')
    expect(await version(vm2.httpUrl, adminHost)).toBe('v2')
    // The stop came before the run in the recreate role's log; the web role switched first, then stopped.
    const admin = r.stderr.split('\n').filter((l) => l.includes(' admin: '))
    const stopAt = admin.findIndex((l) => / admin: stop /.test(l))
    const runAt = admin.findIndex((l) => / admin: run /.test(l))
    expect(stopAt, r.stderr).toBeGreaterThanOrEqual(0)
    expect(stopAt).toBeLessThan(runAt)
  })

  it('the table shows the downtime (without --json)', async () => {
    const r = await app.run(['deploy', '--skip-build', '--skip-gate', '--version', 'v1'])
    expect(r.code, everything(r)).toBe(0)
    expect(r.stdout).toMatch(/DOWNTIME/)
    expect(r.stdout).toMatch(new RegExp(`${vm2.address.replace(/[.]/g, '\\.')}\\s+admin\\s+replaced\\s+\\S+\\s+\\S+s\\s+\\d+\\.\\ds`))
  })
})

describe('rolling boot groups and the latest tag', () => {
  const app = new TestApp('h4boot')
  const latest = () => `${app.repository}:latest`

  beforeAll(() => {
    app.configure({})
    write(app, {
      servers: { web: { hosts: [vm1.address, vm2.address] } },
      proxy: { host: app.proxyHost, app_port: 80, healthcheck },
      boot: { limit: 1 },
      deploy_timeout: 6,
      drain_timeout: 2,
      stop_timeout: 2,
    })
    app.buildImage('v1')
    app.buildImage('v2', 'broken')
    app.buildImage('v3')
  })
  afterAll(async () => {
    await app.cleanup(reader)
    await reader.close()
  })

  it('v1 boots group by group, then both hosts tag it latest', async () => {
    const r = await app.deploy('v1')
    expect(r.code, everything(r)).toBe(0)
    expect(r.stderr).toContain(`boot group 1 of 2: ${vm1.address}`)
    expect(r.stderr).toContain(`boot group 2 of 2: ${vm2.address}`)
    for (const h of [vm1, vm2]) {
      expect(await version(h.httpUrl, app.proxyHost)).toBe('v1')
      expect(await tagId(h, latest())).toBe(await tagId(h, `${app.repository}:v1`))
    }
  })

  it('a broken v2 stops after the first group: the second host never sees it and serves v1; latest stays v1', async () => {
    const r = await app.deploy('v2')
    expect(r.code, everything(r)).toBe(1)
    const byHost = new Map(r.json?.hosts.map((h) => [h.host, h]))
    expect(byHost.get(vm1.address)?.action).toBe('failed')
    expect(byHost.get(vm1.address)?.error).toContain('never became healthy')
    expect(byHost.get(vm2.address)?.action).toBe('failed')
    expect(byHost.get(vm2.address)?.error).toBe(`not deployed: boot group 1 of 2 failed (${vm1.address}); this host keeps its previous version`)
    expect(await version(vm1.httpUrl, app.proxyHost)).toBe('v1')
    expect(await version(vm2.httpUrl, app.proxyHost)).toBe('v1')
    // Untouched: no v2 container was ever created on vm2, and its image was never pulled there.
    expect((await reader.containers(vm2, app.service)).map((c) => c.version)).toEqual(['v1'])
    expect(await tagId(vm2, `${app.repository}:v2`)).toBe('')
    for (const h of [vm1, vm2]) expect(await tagId(h, latest())).toBe(await tagId(h, `${app.repository}:v1`))
  })

  it('v3 succeeds on both groups and only then moves latest to v3 on every host', async () => {
    const r = await app.deploy('v3')
    expect(r.code, everything(r)).toBe(0)
    const tagLine = r.stderr.split('\n').findIndex((l) => l.includes(`as ${latest()}`))
    const group2Done = r.stderr.split('\n').findIndex((l) => l.includes('boot group 2 of 2 done'))
    expect(tagLine).toBeGreaterThan(group2Done)
    for (const h of [vm1, vm2]) {
      expect(await version(h.httpUrl, app.proxyHost)).toBe('v3')
      expect(await tagId(h, latest())).toBe(await tagId(h, `${app.repository}:v3`))
    }
  })
})
