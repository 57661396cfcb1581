/**
 * Config-less deploys (issue 12) through the BUNDLED CLI and Action on the real testbed:
 * `cutover deploy IMAGE --host H --server S…` with no config/deploy.yml, under one continuous
 * request load from the first boot to the last switch. One app's life, each step building on the
 * one before: boot on both hosts; the same command again (unchanged, no docker events); an
 * `--env` change (0 failed requests, the change named; the volume's file from v1 read by v2); a
 * re-pushed tag (replaced) and the same digest again (unchanged); a second service claiming the
 * host (refused before any change, naming the first); a config/deploy.yml deploy of the same
 * service taking it over and config-less taking it back. Then the Action with `image` inputs.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeployResult, HostResult } from '../../src/engine/result.js'
import { machineDockerConfig } from '../testbed/registry.js'
import { appRepo, greenCi, job, pushEvent, show, startGitHub, type AppRepo, type Job } from './action-harness.js'
import { cutover, type CliRun } from './support/cli.js'
import { concerning, describeEvents } from './support/events.js'
import { HostReader, hosts, type TestHost } from './support/hosts.js'
import { startLoad, version, type LoadReport } from './support/http.js'
import { testbed } from './testbed.js'

const id = `${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}`
const proxyHost = `cl-${id}.e2e.test`
/** Derived from the host by the CLI: nobody passes --service for the app itself. */
const service = `cl-${id}-e2e-test`
const repository = `${testbed.registry.server}/cutover-e2e/cl-${id}`
const image = `${repository}:live`
const volume = `cl-${id}-data`
const other = `cl-${id}-other`
const reader = new HostReader()
const dir = mkdtempSync(join(tmpdir(), `cutover-cl-${id}-`))
const runs: CliRun[] = []

/** An app whose every start appends `<build> GREETING=<value>` to /data/boots (the volume), then serves /up and /version (the build). */
function buildAndPush(build: string): void {
  const context = join(dir, 'image')
  mkdirSync(context, { recursive: true })
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      'ARG BASE',
      'FROM ${BASE}',
      'ARG BUILD=dev',
      'ENV BUILD=$BUILD',
      'RUN mkdir -p /www /data && echo ok > /www/up && echo "$BUILD" > /www/version',
      `CMD ["sh", "-c", "echo \\"$BUILD GREETING=$GREETING\\" >> /data/boots; trap 'exit 0' TERM INT; httpd -f -p 80 -h /www & wait"]`,
      '',
    ].join('\n'),
  )
  const docker = (...args: string[]) => execFileSync('docker', ['--config', machineDockerConfig, ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  docker('build', '-q', '--build-arg', `BASE=${testbed.baseImage}`, '--build-arg', `BUILD=${build}`, '-t', image, context)
  docker('push', '-q', image)
}

const sshArgs = ['--known-hosts', testbed.ssh.knownHostsPath, '--ssh-key', testbed.ssh.keyPath]
const servers = hosts.flatMap((h) => ['--server', `${testbed.ssh.user}@${h.address}`])
const cliEnv = { CUTOVER_REGISTRY_PASSWORD: testbed.registry.password, USER: `e2e-${service}` }

/** The config-less command, as a user would type it (plus --json for the test to read). */
async function deploy(greeting: string, extra: string[] = []): Promise<CliRun & { json: DeployResult }> {
  const args = ['deploy', image, '--host', proxyHost, ...servers, '--registry-user', testbed.registry.username, '--env', `GREETING=${greeting}`, '--volume', `${volume}:/data`, ...extra, ...sshArgs, '--json']
  const r = await cutover(args, { cwd: dir, env: cliEnv, timeoutMs: 120_000 })
  runs.push(r)
  return { ...r, json: JSON.parse(r.stdout) as DeployResult }
}

const show_ = (r: CliRun): string => `exit ${r.code}\n${r.stderr}\n${r.stdout}`
const actions = (r: { json: DeployResult }) => r.json.hosts.map((h: HostResult) => h.action)
const serving = async (h: TestHost, svc = service) => (await reader.containers(h, svc)).filter((c) => c.state === 'running')

/** docker events on each host between two of its clock readings, concerning `svc` (its containers, image, proxy execs naming it). */
async function eventsDuring<T>(svc: string, work: () => Promise<T>): Promise<{ result: T; events: Map<string, string[]> }> {
  const since = await Promise.all(hosts.map((h) => reader.now(h)))
  const result = await work()
  const until = await Promise.all(hosts.map((h) => reader.now(h)))
  const events = new Map<string, string[]>()
  for (const [i, h] of hosts.entries()) {
    const ids = new Set((await reader.containers(h, svc)).map((c) => c.id))
    const all = await reader.events(h, since[i]!, until[i]!)
    events.set(h.name, describeEvents(concerning(all, { service: svc, repository, containerIds: ids })))
  }
  return { result, events }
}

let load: ReturnType<typeof startLoad> | null = null
const started = performance.now()

beforeAll(() => {
  buildAndPush('A')
})

afterAll(async () => {
  await load?.stop()
  for (const svc of [service, other]) await reader.cleanup(svc, repository)
  await Promise.all(hosts.map((h) => reader.sh(h, 'docker volume rm "$1" >/dev/null 2>&1 || true', volume)))
  await reader.close()
  rmSync(dir, { recursive: true, force: true })
  console.info(`configless.test.ts: ${Math.round((performance.now() - started) / 1000)} s`)
})

describe('cutover deploy IMAGE --host --server (no config file)', () => {
  it('1. boots on both hosts; the same command again is unchanged with no docker create/start/stop/pull events', async () => {
    const first = await deploy('one')
    expect(first.code, show_(first)).toBe(0)
    expect(actions(first)).toEqual(hosts.map(() => 'booted'))
    for (const h of hosts) {
      expect((await serving(h)).map((c) => c.labels.role), `${h.name}: the service is named after the host`).toEqual(['web'])
      expect(await version(h.httpUrl, proxyHost)).toBe('A')
    }
    load = startLoad(hosts.map((h) => ({ name: h.name, baseUrl: h.httpUrl, host: proxyHost })), { expect: ['A', 'B'], maxRequests: 20_000, maxMs: 300_000, gapMs: 20 })

    const { result: again, events } = await eventsDuring(service, () => deploy('one'))
    expect(again.code, show_(again)).toBe(0)
    expect(again.json.changed).toBe(false)
    expect(actions(again)).toEqual(hosts.map(() => 'unchanged'))
    // Not one event of this app's containers, image or proxy route: no create, start, stop, pull, exec.
    for (const h of hosts) expect(events.get(h.name), `${h.name}: docker events of ${service} during the unchanged run`).toEqual([])
  })

  it('2. an --env change replaces with zero downtime and names the change; the volume keeps what v1 wrote', async () => {
    const before = new Map(await Promise.all(hosts.map(async (h) => [h.name, (await serving(h))[0]!.id] as const)))
    const r = await deploy('two')
    expect(r.code, show_(r)).toBe(0)
    expect(actions(r)).toEqual(hosts.map(() => 'replaced'))
    for (const hr of r.json.hosts) expect(hr.changes, `${hr.host}: what changed`).toContain('env.clear.GREETING: one → two')
    for (const h of hosts) {
      const now = await serving(h)
      expect(now.map((c) => c.id)).not.toContain(before.get(h.name))
      // v2 reads the file v1 wrote into the named volume, then adds its own line.
      const boots = await reader.sh(h, 'docker exec "$1" cat /data/boots', now[0]!.id)
      expect(boots, `${h.name}: /data/boots in the new container`).toMatch(/^A GREETING=one\n(?:.*\n)*A GREETING=two\n$/)
    }
  })

  it('3. a re-pushed tag (same name, new content) replaces; the same digest again is unchanged', async () => {
    buildAndPush('B')
    const r = await deploy('two')
    expect(r.code, show_(r)).toBe(0)
    expect(actions(r)).toEqual(hosts.map(() => 'replaced'))
    for (const hr of r.json.hosts) expect(hr.changes?.join('\n')).toMatch(new RegExp(`^image ${repository.replace(/[.]/g, '\\.')}:live@sha256:[0-9a-f]{12} → ${repository.replace(/[.]/g, '\\.')}:live@sha256:[0-9a-f]{12}$`, 'm'))
    for (const h of hosts) expect(await version(h.httpUrl, proxyHost)).toBe('B')
    const again = await deploy('two')
    expect(again.code, show_(again)).toBe(0)
    expect(actions(again)).toEqual(hosts.map(() => 'unchanged'))
  })

  it('4. a second service claiming the host fails before any change, naming the first and the --service fix', async () => {
    const { result: r, events } = await eventsDuring(other, () => deploy('intruder', ['--service', other]))
    expect(r.code, show_(r)).toBe(1)
    expect(actions(r)).toEqual(hosts.map(() => 'failed'))
    for (const hr of r.json.hosts) {
      expect(hr.error).toContain(`${proxyHost} is already served by service ${service} (kamal-proxy service ${service}-web, container ${service}-web-live`)
      expect(hr.error).toContain(`image ${image}, cutover-managed)`)
      expect(hr.error).toContain(`--service ${service}`)
    }
    for (const h of hosts) {
      expect(await reader.containers(h, other), `${h.name}: nothing of ${other}`).toEqual([])
      expect(events.get(h.name), `${h.name}: docker events of ${other}`).toEqual([])
      expect(await version(h.httpUrl, proxyHost)).toBe('B')
    }
  })

  it('5. a config/deploy.yml deploy of the same service takes it over, and config-less takes it back, each with zero downtime', async () => {
    const app = join(dir, 'app')
    mkdirSync(join(app, 'config'), { recursive: true })
    const config = {
      service,
      image: `cutover-e2e/cl-${id}`,
      servers: { web: { hosts: hosts.map((h) => h.address) } },
      proxy: { host: proxyHost, app_port: 80, healthcheck: { path: '/up' } },
      registry: { server: testbed.registry.server, username: testbed.registry.username, password: ['KAMAL_REGISTRY_PASSWORD'] },
      ssh: { user: testbed.ssh.user },
      env: { clear: { GREETING: 'three' } },
      volumes: [`${volume}:/data`],
    }
    writeFileSync(join(app, 'config/deploy.yml'), stringify(config))
    const byConfig = await cutover(['deploy', '--skip-build', '--skip-gate', '--version', 'live', ...sshArgs, '--json'], { cwd: app, env: { KAMAL_REGISTRY_PASSWORD: testbed.registry.password }, timeoutMs: 120_000 })
    runs.push(byConfig)
    expect(byConfig.code, show_(byConfig)).toBe(0)
    expect((JSON.parse(byConfig.stdout) as DeployResult).hosts.map((h) => [h.action, h.changes])).toEqual(hosts.map(() => ['replaced', ['env.clear.GREETING: two → three']]))

    const back = await deploy('two')
    expect(back.code, show_(back)).toBe(0)
    expect(back.json.hosts.map((h) => [h.action, h.changes])).toEqual(hosts.map(() => ['replaced', ['env.clear.GREETING: three → two']]))
    for (const h of hosts) expect((await serving(h)).length, `${h.name}: one container serves`).toBe(1)

    const report: LoadReport = await load!.stop(200)
    load = null
    console.info(`configless load: ${report.sent} requests in ${report.ms} ms across 4 replacements, ${report.failed.length} failed`)
    expect(report.capped, 'the load ran through every step').toBe(false)
    expect(report.failed, 'failed requests under load').toEqual([])
  })

  it('secrets given to the CLI never show in its output', () => {
    for (const r of runs) expect(`${r.stdout}\n${r.stderr}`).not.toContain(testbed.registry.password)
  })
})

describe('the Action with image, proxy-host and servers (no config file)', () => {
  let app: AppRepo
  let gh: Awaited<ReturnType<typeof startGitHub>>
  let j: Job

  beforeAll(async () => {
    app = appRepo('cla')
    gh = await startGitHub()
    j = job(app, gh.api.url)
  })

  afterAll(async () => {
    await reader.cleanup(serviceOf(app), repository).catch(() => undefined)
    j?.remove()
    app?.remove()
    await gh?.api.close()
  })

  /** The service the Action derives from its proxy host. */
  const serviceOf = (a: AppRepo) => a.host.replace(/\./g, '-')

  it('7. deploys with only image / proxy-host / servers (+ SSH and registry credentials); a rerun reports changed=false', async () => {
    const sha = app.head()
    greenCi(gh.repo, sha)
    // The testbed's registry requires a login, so the registry credentials stay; `secrets` is cleared.
    const inputs = { image, 'proxy-host': app.host, servers: hosts.map((h) => h.address).join('\n'), secrets: '' }
    const first = await j.run({ event: 'push', payload: pushEvent(sha), sha, inputs })
    expect(first.code, show(first)).toBe(0)
    expect(first.outputs.changed).toBe('true')
    expect(first.outputs.version).toBe('live')
    expect((JSON.parse(first.outputs.result!) as DeployResult).hosts.map((h) => h.action)).toEqual(hosts.map(() => 'booted'))
    for (const h of hosts) expect(await version(h.httpUrl, app.host)).toBe('B')
    expect((await serving(hosts[0]!, serviceOf(app))).length).toBe(1)

    const rerun = await j.run({ event: 'push', payload: pushEvent(sha), sha, inputs })
    expect(rerun.code, show(rerun)).toBe(0)
    expect(rerun.outputs.changed).toBe('false')
  })
})
