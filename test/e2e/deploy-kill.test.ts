import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targetAlias } from '../../src/argv/names.js'
import { describeRun, TestApp } from './support/app.js'
import { HostReader, hosts, type Container } from './support/hosts.js'
import { startLoad, version } from './support/http.js'

/**
 * Kill and converge, through the bundled CLI: a deploy SIGKILLed right after its new containers
 * started (CUTOVER_PAUSE_AT=after-start, a deterministic pause point) leaves them next to the old
 * ones, with traffic still on the old ones and the lock held. The next run refuses, naming the
 * holder; after `cutover lock release` a rerun finishes the job, reusing what the killed run made.
 */

const app = new TestApp('kill')
const reader = new HostReader()
const v1 = new Map<string, Container>()
const started = new Map<string, Container>()

beforeAll(async () => {
  app.configure({ clear: { GREETING: 'kill me' }, secrets: { E2E_KILL_SECRET: 'kill-secret-9f2c' }, deployTimeout: 10 })
  app.buildImage('v1')
  app.buildImage('v2')
  const r = await app.deploy('v1')
  expect(r.code, describeRun(r)).toBe(0)
  for (const h of hosts) v1.set(h.name, (await reader.containers(h, app.service)).find((c) => c.version === 'v1')!)
})

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
})

describe('a deploy killed halfway', () => {
  // Requests run from before the killed deploy until the end: traffic never notices it.
  let load: ReturnType<typeof startLoad> | undefined
  afterAll(() => load?.stop())

  it('is killed right after the new containers start: they exist, the proxy still targets the old ones', async () => {
    load = startLoad(
      hosts.map((h) => ({ name: h.name, baseUrl: h.httpUrl, host: app.proxyHost })),
      { expect: ['v1', 'v2'], maxRequests: 5_000, maxMs: 180_000, gapMs: 20, perTarget: 1 },
    )
    const running = app.startDeploy('v2', { CUTOVER_PAUSE_AT: 'after-start' })
    // Every host reaches the pause point (hosts run in parallel; each prints the marker).
    for (const h of hosts) await running.waitForStderr(new RegExp(`\\[${h.address.replace(/\./g, '\\.')}\\] web: cutover: paused at after-start`), 90_000)
    running.child.kill('SIGKILL')
    const r = await running.done
    expect(r.signal, describeRun(r)).toBe('SIGKILL')

    for (const h of hosts) {
      const all = await reader.containers(h, app.service)
      const v2 = all.filter((c) => c.version === 'v2')
      expect(v2.map((c) => c.state), `${h.name}: v2 containers`).toEqual(['running'])
      started.set(h.name, v2[0]!)
      const old = v1.get(h.name)!
      expect(all.find((c) => c.id === old.id)?.state, `${h.name}: v1 still runs`).toBe('running')
      expect(await reader.routeTargets(h, app.proxyService), `${h.name}: route`).toEqual([`${targetAlias(old.digest!)}:80`])
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v1')
    }
  })

  it('the rerun fails fast, naming the lock holder, and changes nothing', async () => {
    const status = await app.run(['lock', 'status', '--json'])
    expect(status.code, describeRun(status)).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ held: true, details: { lockedBy: expect.stringMatching(new RegExp(`^e2e-${app.service}@`)), version: 'v2' } })

    const r = await app.deploy('v2')
    expect(r.code, describeRun(r)).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`the deploy lock \\.kamal/lock-${app.service} is held: locked by e2e-${app.service}@\\S+ at \\S+ for version v2`))
    expect(r.stderr).toContain('cutover lock release')
    for (const h of hosts) {
      const all = await reader.containers(h, app.service)
      expect(all.map((c) => [c.id, c.state]).sort(), h.name).toEqual([[v1.get(h.name)!.id, 'running'], [started.get(h.name)!.id, 'running']].sort())
    }
  })

  it('after `cutover lock release`, a rerun converges: one serving new container (the one already started), old one stopped, no duplicates', async () => {
    const release = await app.run(['lock', 'release'])
    expect(release.code, describeRun(release)).toBe(0)
    expect(release.stdout).toMatch(new RegExp(`released the deploy lock \\.kamal/lock-${app.service} on ${hosts[0]!.address.replace(/\./g, '\\.')} \\(locked by e2e-${app.service}@`))

    const r = await app.deploy('v2')
    expect(r.code, describeRun(r)).toBe(0)
    expect(r.json?.hosts.map((h) => h.action)).toEqual(hosts.map(() => 'replaced'))
    for (const h of hosts) {
      const all = await reader.containers(h, app.service)
      const reused = started.get(h.name)!
      expect(all.filter((c) => c.state === 'running').map((c) => c.id), `${h.name}: serving`).toEqual([reused.id])
      expect(all.filter((c) => c.version === 'v2').length, `${h.name}: v2 containers`).toBe(1)
      expect(all.find((c) => c.id === v1.get(h.name)!.id)?.state, `${h.name}: v1`).toBe('exited')
      expect(all.length, `${h.name}: containers of ${app.service}`).toBe(2)
      expect(await reader.routeTargets(h, app.proxyService)).toEqual([`${targetAlias(reused.digest!)}:80`])
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
    }
    const status = await app.run(['lock', 'status', '--json'])
    expect(JSON.parse(status.stdout)).toMatchObject({ held: false })
    // Converged for good: one more run finds nothing to do.
    const again = await app.deploy('v2')
    expect(again.code, describeRun(again)).toBe(0)
    expect(again.json?.hosts.map((h) => h.action)).toEqual(hosts.map(() => 'unchanged'))

    expect(load, 'the load started in the first test').toBeDefined()
    const report = await load!.stop()
    expect(report.capped, 'the load ran until the end').toBe(false)
    expect(report.failed, `${report.failed.length} of ${report.sent} requests failed across the kill and the converge`).toEqual([])
    expect(report.sent).toBeGreaterThan(50)
  })
})
