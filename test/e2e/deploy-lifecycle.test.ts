import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targetAlias } from '../../src/argv/names.js'
import { describeRun, TestApp, type DeployRun } from './support/app.js'
import { everything, type CliRun } from './support/cli.js'
import { concerning, describeEvents, execCommand, proxyReads } from './support/events.js'
import { HostReader, hosts, type Container, type TestHost } from './support/hosts.js'
import { answersAfterFirst, startLoad, version, versionsSeen, type LoadReport } from './support/http.js'

/**
 * The life of one app through the bundled CLI on the real testbed, in order: first deploy,
 * the same version again, v2 under load, rollback and forward again under load, a broken
 * image. Each test starts from the state the one before left (as a real app's life does).
 */

const app = new TestApp('life')
const reader = new HostReader()
const SENTINEL = `sentinel-life-${randomBytes(6).toString('hex')}`
/** Every CLI run of this file: the leak check reads them all. */
const runs: CliRun[] = []
const at = (h: TestHost) => h.address

async function deploy(version: string): Promise<DeployRun> {
  const r = await app.deploy(version)
  runs.push(r)
  return r
}
async function rollback(version: string): Promise<DeployRun> {
  const r = await app.rollback(version)
  runs.push(r)
  return r
}

const actions = (r: DeployRun) => Object.fromEntries((r.json?.hosts ?? []).map((h) => [h.host, h.action]))
const everyHost = (action: string) => Object.fromEntries(hosts.map((h) => [at(h), action]))
const serving = async (h: TestHost): Promise<Container[]> => (await reader.containers(h, app.service)).filter((c) => c.state === 'running')
const byVersion = async (h: TestHost, v: string): Promise<Container[]> => (await reader.containers(h, app.service)).filter((c) => c.version === v)

/** Load on every host's proxy while `work` runs; at least `min` requests in all. */
async function underLoad(label: string, expected: string[], work: () => Promise<DeployRun>, min = 300): Promise<{ run: DeployRun; load: LoadReport }> {
  const load = startLoad(
    hosts.map((h) => ({ name: h.name, baseUrl: h.httpUrl, host: app.proxyHost })),
    { expect: expected, maxRequests: 20_000, maxMs: 120_000 },
  )
  const run = await work().catch(async (e: unknown) => {
    await load.stop()
    throw e
  })
  const report = await load.stop(min)
  expect(report.capped, 'the load ran for the whole deploy (not cut short by its bounds)').toBe(false)
  console.info(`load during ${label}: ${report.sent} requests in ${report.ms} ms, ${report.failed.length} failed; the deploy took ${run.ms} ms`)
  return { run, load: report }
}

/** The proxy's route for this app sends everything to exactly this container (by its digest alias). */
async function expectRoutedTo(h: TestHost, c: Container): Promise<void> {
  expect(await reader.routeTargets(h, app.proxyService), `${h.name}: kamal-proxy route of ${app.proxyService}`).toEqual([`${targetAlias(c.digest ?? '')}:80`])
}

/** v1's and v2's containers per host, recorded the first time each is made. */
const firstIds: Record<string, Record<string, string>> = {}

beforeAll(() => {
  expect(hosts.length).toBeGreaterThanOrEqual(2)
  app.configure({ clear: { GREETING: 'hello from e2e' }, secrets: { E2E_SENTINEL: SENTINEL }, deployTimeout: 10 })
  app.buildImage('v1')
  app.buildImage('v2')
  app.buildImage('broken', 'broken')
})

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
})

describe('deploy through the bundled CLI (dist/cli/index.js)', () => {
  it('first deploy boots v1 on every host, and GET /version through each proxy answers v1', async () => {
    const r = await deploy('v1')
    expect(r.code, describeRun(r)).toBe(0)
    expect(r.json).toMatchObject({ version: 'v1', image: `${app.repository}:v1`, changed: true })
    expect(actions(r)).toEqual(everyHost('booted'))
    for (const h of hosts) {
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v1')
      const all = await reader.containers(h, app.service)
      expect(all.map((c) => [c.name, c.state, c.version]), h.name).toEqual([[`${app.service}-web-v1`, 'running', 'v1']])
      await expectRoutedTo(h, all[0]!)
      firstIds[h.name] = { v1: all[0]!.id }
    }
  })

  it('the same version again: every host unchanged, and the hosts saw no pull, create, start, stop or non-reading exec', async () => {
    const traced = app.trace().length
    const since = await Promise.all(hosts.map((h) => reader.now(h)))
    const r = await deploy('v1')
    const until = await Promise.all(hosts.map((h) => reader.now(h)))
    expect(r.code, describeRun(r)).toBe(0)
    expect(r.json).toMatchObject({ version: 'v1', changed: false })
    expect(actions(r)).toEqual(everyHost('unchanged'))
    expect(r.json!.hosts.map((h) => h.container)).toEqual(hosts.map(() => `${app.service}-web-v1`))

    // What was sent: the one read-only observe per host, nothing else (no lock, login, pull, run).
    const sent = app.trace().slice(traced)
    expect(sent.map((l) => l.host).sort()).toEqual(hosts.map(at).sort())
    for (const l of sent) expect(l.command).toMatch(/^timeout -s KILL \d+ sh -c 't=\$\(mktemp -d\)/)

    // What the hosts' engines did in that window.
    for (const [i, h] of hosts.entries()) {
      const events = await reader.events(h, since[i]!, until[i]!)
      const ids = new Set((await reader.containers(h, app.service)).map((c) => c.id))
      const changes = concerning(events, { service: app.service, repository: app.repository, containerIds: ids })
      expect(describeEvents(changes), `${h.name}: events concerning ${app.service}`).toEqual([])
      // The capture itself works: the observe's `kamal-proxy list` shows up as a (reading) exec.
      expect(proxyReads(events).length, `${h.name}: kamal-proxy list execs seen`).toBeGreaterThan(0)
    }
  })

  it('v2 under continuous requests: zero failed requests, v1 before and v2 after, v1 stopped', async () => {
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v1')
    const since = await Promise.all(hosts.map((h) => reader.now(h)))
    const { run, load } = await underLoad('deploy v2', ['v1', 'v2'], () => deploy('v2'))
    const until = await Promise.all(hosts.map((h) => reader.now(h)))
    expect(run.code, describeRun(run)).toBe(0)
    expect(actions(run)).toEqual(everyHost('replaced'))
    expect(load.failed, `${load.failed.length} of ${load.sent} requests failed`).toEqual([])
    expect(load.sent).toBeGreaterThanOrEqual(300)
    for (const h of hosts) {
      const seen = versionsSeen(load, h.name)
      expect(seen[0], `${h.name}: first answer`).toBe('v1')
      expect(seen.at(-1), `${h.name}: last answer`).toBe('v2')
      // Once v2 answered, no request sent after that got v1 (kamal-proxy switches atomically).
      expect(answersAfterFirst(load, h.name, 'v2')).not.toContain('v1')
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
      const [v1] = await byVersion(h, 'v1')
      const [v2, ...more] = await byVersion(h, 'v2')
      expect(more, `${h.name}: one v2 container`).toEqual([])
      expect(v1?.state, `${h.name}: v1's container`).toBe('exited')
      expect(v2?.state, `${h.name}: v2's container`).toBe('running')
      await expectRoutedTo(h, v2!)
      firstIds[h.name]!.v2 = v2!.id
    }
    // The same event filter the unchanged test relies on sees a real deploy's changes.
    for (const [i, h] of hosts.entries()) {
      const ids = new Set((await reader.containers(h, app.service)).map((c) => c.id))
      const changes = concerning(await reader.events(h, since[i]!, until[i]!), { service: app.service, repository: app.repository, containerIds: ids })
      const kinds = new Set(changes.map((e) => (e.Type === 'container' && execCommand(e) ? `exec ${execCommand(e)!.split(' ').slice(0, 2).join(' ')}` : `${e.Type} ${e.Action}`)))
      for (const kind of ['image pull', 'container create', 'container start', 'exec kamal-proxy deploy', 'container kill'])
        expect([...kinds], `${h.name}: events of the v2 deploy`).toContain(kind)
    }
  })

  it('rollback v2 → v1 reuses v1\'s retained container, then v1 → v2 again; both under load with zero failures', async () => {
    const back = await underLoad('rollback v1', ['v1', 'v2'], () => rollback('v1'))
    expect(back.run.code, describeRun(back.run)).toBe(0)
    expect(actions(back.run)).toEqual(everyHost('replaced'))
    expect(back.load.failed, `${back.load.failed.length} of ${back.load.sent} requests failed during the rollback`).toEqual([])
    expect(back.load.sent).toBeGreaterThanOrEqual(300)
    for (const h of hosts) {
      const running = await serving(h)
      expect(running.map((c) => c.id), `${h.name}: v1's retained container serves again`).toEqual([firstIds[h.name]!.v1])
      const seen = versionsSeen(back.load, h.name)
      expect([seen[0], seen.at(-1)], `${h.name}: first and last answers`).toEqual(['v2', 'v1'])
      expect(answersAfterFirst(back.load, h.name, 'v1')).not.toContain('v2')
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v1')
      await expectRoutedTo(h, running[0]!)
    }

    const forward = await underLoad('deploy v2 again', ['v1', 'v2'], () => deploy('v2'))
    expect(forward.run.code, describeRun(forward.run)).toBe(0)
    expect(actions(forward.run)).toEqual(everyHost('replaced'))
    expect(forward.load.failed, `${forward.load.failed.length} of ${forward.load.sent} requests failed going forward again`).toEqual([])
    expect(forward.load.sent).toBeGreaterThanOrEqual(300)
    for (const h of hosts) {
      const all = await reader.containers(h, app.service)
      // No new container either way: the two retained ones took turns.
      expect(all.map((c) => c.id).sort(), `${h.name}: containers`).toEqual([firstIds[h.name]!.v1, firstIds[h.name]!.v2].sort())
      expect(all.filter((c) => c.state === 'running').map((c) => c.id)).toEqual([firstIds[h.name]!.v2])
      const seen = versionsSeen(forward.load, h.name)
      expect([seen[0], seen.at(-1)], `${h.name}: first and last answers`).toEqual(['v1', 'v2'])
      expect(answersAfterFirst(forward.load, h.name, 'v2')).not.toContain('v1')
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
    }
  })

  it('a broken image fails with its redacted log tail, v2 keeps answering on every host, and no broken container is left', async () => {
    const { run, load } = await underLoad('deploy broken', ['v2'], () => deploy('broken'), 100)
    expect(run.code, describeRun(run)).toBe(1)
    expect(actions(run)).toEqual(everyHost('failed'))
    for (const h of run.json!.hosts) {
      // The container's own lines, with the secret it printed redacted.
      expect(h.error).toContain('broken-app: starting')
      expect(h.error).toContain('broken-app: not listening on purpose')
      expect(h.error).toContain('E2E_SENTINEL=[redacted]')
      expect(h.error).toContain('the previous version keeps serving')
    }
    expect(run.stderr).toContain('E2E_SENTINEL=[redacted]')
    expect(everything(run)).not.toContain(SENTINEL)
    expect(load.failed, `${load.failed.length} of ${load.sent} requests failed while the broken image was tried`).toEqual([])
    for (const h of hosts) {
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
      const all = await reader.containers(h, app.service)
      expect(all.filter((c) => c.version === 'broken' || c.name.includes('broken')), `${h.name}: broken containers left`).toEqual([])
      expect(all.filter((c) => c.state === 'running').map((c) => c.id)).toEqual([firstIds[h.name]!.v2])
    }
    // The failed run released its lock, and left nothing for the next run to tidy: v2 is unchanged.
    const status = await app.run(['lock', 'status', '--json'])
    runs.push(status)
    expect(JSON.parse(status.stdout), describeRun(status)).toMatchObject({ held: false })
    const again = await deploy('v2')
    expect(again.code, describeRun(again)).toBe(0)
    expect(actions(again)).toEqual(everyHost('unchanged'))
  })

  it('no secret value appears in stdout, stderr, the JSON results, or any command sent over SSH', () => {
    expect(runs.length).toBeGreaterThanOrEqual(6)
    const secrets = app.secretValues()
    for (const r of runs) for (const s of secrets) expect(everything(r).includes(s), `a secret in the output of a run:\n${describeRun(r)}`).toBe(false)
    const trace = app.trace()
    // The trace covers the steps that carry secrets: the login (password on stdin) and the run (env file).
    expect(trace.some((l) => l.command.includes('--password-stdin') && / cutover-pull \S+ testbed \S+:v1$/.test(l.command))).toBe(true)
    expect(trace.some((l) => / docker run .*--env-file \.kamal\/apps\//.test(l.command))).toBe(true)
    expect(trace.some((l) => l.command.includes('cutover-upload'))).toBe(true)
    // A secret value in a command would be written to the trace as [redacted], its line flagged
    // `redacted` (the trace never holds a value), so the flag is the check.
    expect(trace.filter((l) => l.redacted), 'commands that held a secret value').toEqual([])
  })
})
