import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targetAlias } from '../../src/argv/names.js'
import { describeRun, TestApp, type DeployRun } from './support/app.js'
import { HostReader, hosts, type Container, type TestHost } from './support/hosts.js'
import { startLoad, version, type LoadReport } from './support/http.js'

/**
 * Deploy safety (issue 11) on the real testbed, through the bundled CLI: an image that passes
 * kamal-proxy's health check and crashes 3 s later is switched back on every host by the verify
 * window (the default one, no x-cutover key); with the window off it is not (as before); a host
 * that cannot be reached stops the deploy before any host changes.
 */

const app = new TestApp('h5verify')
const reader = new HostReader()
const SETTINGS = { clear: { GREETING: 'verify' }, deployTimeout: 15 }

const running = async (h: TestHost): Promise<Container[]> => (await reader.containers(h, app.service)).filter((c) => c.state === 'running')
const ofVersion = async (h: TestHost, v: string): Promise<Container[]> => (await reader.containers(h, app.service)).filter((c) => c.version === v)

/** Load on every host's proxy while `work` runs; wall-clock start so failures line up with docker events. */
async function underLoad(expected: string[], work: () => Promise<DeployRun>): Promise<{ run: DeployRun; load: LoadReport; startedAt: number }> {
  const startedAt = Date.now()
  const load = startLoad(
    hosts.map((h) => ({ name: h.name, baseUrl: h.httpUrl, host: app.proxyHost })),
    { expect: expected, maxRequests: 20_000, maxMs: 150_000 },
  )
  const run = await work().catch(async (e: unknown) => {
    await load.stop()
    throw e
  })
  const report = await load.stop(200)
  expect(report.capped, 'the load ran for the whole deploy').toBe(false)
  return { run, load: report, startedAt }
}

beforeAll(() => {
  expect(hosts.length).toBeGreaterThanOrEqual(2)
  app.configure(SETTINGS)
  app.buildImage('v1')
  app.buildImage('v2')
  app.buildImage('crash', 'crash-after-healthy')
})

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
})

describe('verify after the switch, roll back automatically', () => {
  it('v1 deploys and passes the default verify window on every host', async () => {
    const r = await app.deploy('v1')
    expect(r.code, describeRun(r)).toBe(0)
    expect(r.stderr).toMatch(/watch .*-web-v1 for 5s/)
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost)).toBe('v1')
  })

  it('a crash after healthy: exit non-zero, every host switched back to v1 soon after the first die, no request fails after that', async () => {
    const since = await reader.now(hosts[0]!)
    const { run, load, startedAt } = await underLoad(['v1', 'crash'], () => app.deploy('crash'))
    const until = await reader.now(hosts[0]!)
    expect(run.code, describeRun(run)).not.toBe(0)
    for (const hr of run.json?.hosts ?? []) {
      expect(hr, describeRun(run)).toMatchObject({ action: 'failed', rolledBack: true })
      // What was seen (the exit code or the restart), and the outcome.
      expect(hr.error).toMatch(/exit code 3|restart count [1-9]/)
      expect(hr.error).toMatch(/old version serving/)
      expect(hr.error).toContain('crash-app: exiting on purpose')
    }
    expect(run.json?.hosts.map((h) => h.host).sort()).toEqual(hosts.map((h) => h.address).sort())

    let failedBefore = 0
    for (const h of hosts) {
      // v1 serves again, routed by its own alias; the crash container is gone.
      const [v1] = await ofVersion(h, 'v1')
      expect(v1?.state, h.name).toBe('running')
      expect(await reader.routeTargets(h, app.proxyService)).toEqual([`${targetAlias(v1?.digest ?? '')}:80`])
      expect(await ofVersion(h, 'crash'), `${h.name}: the crash container was removed`).toEqual([])
      expect(await version(h.httpUrl, app.proxyHost)).toBe('v1')

      const events = await reader.events(h, since, until)
      const dies = events.filter((e) => e.Type === 'container' && e.Action === 'die' && e.Actor.Attributes.name?.startsWith(`${app.service}-web-crash`))
      expect(dies.length, `${h.name}: the crash container died at least once`).toBeGreaterThan(0)
      const firstDie = Math.min(...dies.map((e) => e.timeNano / 1e6))
      // The switch back: kamal-proxy's route to v1 again; found as the last `exec_start` of a deploy to v1's alias.
      const failures = load.failed.filter((f) => f.target === h.name)
      const lastFailure = failures.length ? Math.max(...failures.map((f) => startedAt + f.at)) : null
      const after = lastFailure === null ? 0 : lastFailure - firstDie
      console.info(`${h.name}: ${failures.length} requests failed; first die at +${Math.round(firstDie - startedAt)} ms; last failure ${lastFailure === null ? 'none' : `${Math.round(after)} ms after it`}`)
      // Every failure was sent within a few seconds of the first die: after that, all answered.
      if (lastFailure !== null) expect(after, `${h.name}: ${JSON.stringify(failures.slice(-3))}`).toBeLessThan(5_000)
      failedBefore += failures.length
      // And the requests sent last on this host were answered by v1.
      const last = load.answers.filter((a) => a.target === h.name).sort((a, b) => a.at - b.at).slice(-5).map((a) => a.version)
      expect(last).toEqual(['v1', 'v1', 'v1', 'v1', 'v1'])
    }
    console.info(`crash after healthy: ${load.sent} requests, ${failedBefore} failed (all before the switch back); the deploy took ${run.ms} ms`)
  })

  it('the next deploy of a good version goes ahead as usual, and says what changed (v1 serves since the rollback)', async () => {
    const r = await app.deploy('v2')
    expect(r.code, describeRun(r)).toBe(0)
    for (const hr of r.json?.hosts ?? []) expect(hr.changes, describeRun(r)).toEqual([expect.stringMatching(new RegExp(`^image .*:v1@sha256:[0-9a-f]{12} → .*:v2@sha256:[0-9a-f]{12}$`))])
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost)).toBe('v2')
  })

  it('verify window 0: as before the window existed, the deploy exits 0 and the crashing container stays routed', async () => {
    app.configure({ ...SETTINGS, xCutover: { verify: { window: 0 } } })
    const r = await app.deploy('crash')
    expect(r.code, describeRun(r)).toBe(0)
    expect(r.stderr).not.toMatch(/watch .* for \d+s/)
    for (const h of hosts) {
      const [crash] = await ofVersion(h, 'crash')
      expect(await reader.routeTargets(h, app.proxyService)).toEqual([`${targetAlias(crash?.digest ?? '')}:80`])
      // The old version was stopped at once: nothing of it runs any more.
      expect((await running(h)).map((c) => c.version)).not.toContain('v2')
    }
    app.configure(SETTINGS)
    const back = await app.rollback('v2')
    expect(back.code, describeRun(back)).toBe(0)
  })
})

describe('all or nothing at the start', () => {
  it('a host nothing answers on: no host changes, the error names it with the reason', async () => {
    const before = await Promise.all(hosts.map(async (h) => (await reader.containers(h, app.service)).map((c) => `${c.id}:${c.state}`)))
    const routesBefore = await Promise.all(hosts.map((h) => reader.routeTargets(h, app.proxyService)))
    app.configure({ ...SETTINGS, extraHosts: ['127.0.0.1:1'] })
    try {
      const r = await app.deploy('v1')
      expect(r.code, describeRun(r)).not.toBe(0)
      expect(r.stderr).toMatch(/1 of \d hosts could not be reached or observed, so no host was changed/)
      const down = r.json?.hosts.find((h) => h.host === '127.0.0.1:1')
      expect(down?.error, describeRun(r)).toMatch(/^unreachable: .*127\.0\.0\.1.*(refused|connect)/i)
      for (const hr of r.json?.hosts ?? []) expect(hr.action).toBe('failed')
      const after = await Promise.all(hosts.map(async (h) => (await reader.containers(h, app.service)).map((c) => `${c.id}:${c.state}`)))
      expect(after).toEqual(before)
      expect(await Promise.all(hosts.map((h) => reader.routeTargets(h, app.proxyService)))).toEqual(routesBefore)
      for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost)).toBe('v2')

      // The opt-in deploys to the others.
      const opted = await app.runWithEnv(['deploy', '--skip-build', '--skip-gate', '--version', 'v1', '--json', '--allow-unreachable'], {})
      expect(opted.code, describeRun(opted)).not.toBe(0) // one host still failed
      for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), describeRun(opted)).toBe('v1')
    } finally {
      app.configure(SETTINGS)
    }
  })
})

describe('say what changes', () => {
  it('--dry-run on a commit not built yet: the plan with the diff per host and role, nothing changed', async () => {
    app.configure({ ...SETTINGS, clear: { GREETING: 'verify2' }, secrets: { H5_TOKEN: 'h5-token-value-9431' } })
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.test', ...args], { cwd: app.dir, encoding: 'utf8' })
    git('init', '-q')
    git('add', 'config')
    git('commit', '-qm', 'unbuilt')
    const commit = git('rev-parse', 'HEAD').trim()
    const before = await Promise.all(hosts.map(async (h) => (await reader.containers(h, app.service)).map((c) => `${c.id}:${c.state}`)))
    const r = await app.run(['deploy', '--dry-run', '--json'])
    expect(r.code, describeRun(r)).toBe(0)
    const plan = JSON.parse(r.stdout) as { version: string; hosts: { host: string; roles: { role: string; changes: string[]; steps: string[] }[] }[] }
    expect(plan.version).toBe(commit)
    expect(plan.hosts.map((h) => h.host).sort()).toEqual(hosts.map((h) => h.address).sort())
    for (const h of plan.hosts) {
      expect(h.roles[0]?.changes, r.stdout).toEqual([
        expect.stringMatching(new RegExp(`^image .*:v1@sha256:[0-9a-f]{12} → to be built from ${commit}$`)),
        'env.clear.GREETING: verify → verify2',
        'secret H5_TOKEN added',
      ])
    }
    expect(r.stdout + r.stderr).not.toContain('h5-token-value-9431')
    const text = await app.run(['deploy', '--dry-run'])
    expect(text.stdout).toMatch(/change: env\.clear\.GREETING: verify → verify2/)
    const after = await Promise.all(hosts.map(async (h) => (await reader.containers(h, app.service)).map((c) => `${c.id}:${c.state}`)))
    expect(after).toEqual(before)
  })
})
