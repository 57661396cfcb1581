import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import type { DeployResult } from '../../src/engine/result.js'
import { ensureHosts } from '../testbed/up.js'
import { docker, hostContainer } from '../testbed/layout.js'
import { machineDockerConfig } from '../testbed/registry.js'
import { testbed } from './testbed.js'
import { cutover, type CliRun } from './support/cli.js'
import { get } from './support/http.js'

/**
 * A fleet of 6 hosts with `x-cutover.fanout.max_connections: 2`: while the deploy runs, a sampler
 * inside every host counts its established sshd connections (port 22); no more than 2 may be open
 * across the fleet at any moment, and every host must converge (serve the version through its
 * kamal-proxy). Then an unchanged redeploy with `--max-connections 1` (the flag wins over the
 * config): at most 1 at a time, every host `unchanged`. The 4 extra hosts are started here (only
 * if not running yet) and left up; testbed.json, and so every other test, keeps its 2 hosts.
 */

const FLEET = 6
const HELLO = resolve(import.meta.dirname, '../../examples/hello')
const runId = `${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}`
const service = `e2e-fleet-${runId}`
const image = `cutover-e2e/${service}`
const repository = `${testbed.registry.server}/${image}`
const proxyHost = `${service}.e2e.test`
const version = 'v1'
const dir = mkdtempSync(join(tmpdir(), `cutover-${service}-`))
let fleet: Awaited<ReturnType<typeof ensureHosts>> = []
let bootMs = 0
const started = performance.now()

/** One sample: a host's clock (ns, shared: every host is a container on this machine's kernel) and its open sshd connections, by client address:port. */
interface Sample {
  host: string
  at: bigint
  peers: string[]
}

/**
 * Samples on every host at once, each its own `docker exec` loop (~every 20 ms) printing
 * `<ns> <established connections to :22>`. Hosts share this machine's clock, so the samples of
 * all hosts merge onto one time line.
 */
function sampleSshd(hosts: readonly string[]): { ready: Promise<void>; stop(): Promise<Sample[]> } {
  const samples: Sample[] = []
  let seen = 0
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((r) => (markReady = r))
  const firstSeen = new Set<string>()
  // Killing `docker exec` does not stop the loop inside the host, so it ends itself: when stop()
  // leaves its marker file, and in any case after 5 minutes (a crashed test must not leave it running).
  const marker = `/tmp/cutover-sampler-stop-${process.pid}-${Date.now()}`
  const script = `end=$(( $(date +%s) + 300 )); while [ ! -e ${marker} ] && [ $(date +%s) -lt $end ]; do echo "$(date +%s%N) $(ss -tnH state established '( sport = :22 )' | awk '{printf "%s ", $NF}')"; sleep 0.02; done; rm -f ${marker}`
  const children: ChildProcess[] = hosts.map((h, i) => {
    const child = spawn(docker, ['exec', hostContainer(i + 1), 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'ignore'] })
    let rest = ''
    child.stdout!.on('data', (b: Buffer) => {
      const lines = (rest + b.toString()).split('\n')
      rest = lines.pop() ?? ''
      for (const l of lines) {
        const [at, ...peers] = l.trim().split(/\s+/)
        if (!at || !/^\d+$/.test(at)) continue
        samples.push({ host: h, at: BigInt(at), peers })
        if (!firstSeen.has(h)) {
          firstSeen.add(h)
          if (++seen === hosts.length) markReady()
        }
      }
    })
    return child
  })
  return {
    ready,
    async stop() {
      const closed = children.map((c) => new Promise<void>((r) => c.once('close', () => r())))
      for (let i = 0; i < hosts.length; i++) execFileSync(docker, ['exec', hostContainer(i + 1), 'touch', marker])
      await Promise.all(closed)
      return samples
    },
  }
}

/**
 * The most connections open at once across the fleet. Each connection (host and client port) is
 * taken as open from the first sample that saw it to the last: never longer than it really was,
 * so sampling can miss an overlap but never invent one (the hosts share one clock).
 */
function mostAtOnce(samples: readonly Sample[]): { most: number; at: string; connections: number } {
  const seen = new Map<string, { first: bigint; last: bigint }>()
  // Connections already open at a host's first sample predate the deploy (the sampler is ready
  // before the deploy starts): another test's, or a lingering client's. They are not counted.
  const before = new Set<string>()
  const firstAt = new Map<string, bigint>()
  for (const s of samples) if (!firstAt.has(s.host) || s.at < firstAt.get(s.host)!) firstAt.set(s.host, s.at)
  for (const s of samples) if (s.at === firstAt.get(s.host)) for (const p of s.peers) before.add(`${s.host} ${p}`)
  for (const s of samples) {
    for (const p of s.peers) {
      if (before.has(`${s.host} ${p}`)) continue
      const key = `${s.host} ${p}`
      const span = seen.get(key)
      if (!span) seen.set(key, { first: s.at, last: s.at })
      else span.last = s.at > span.last ? s.at : span.last
    }
  }
  // Opens before closes at the same instant: touching spans count as overlapping.
  const events = [...seen].flatMap(([key, { first, last }]) => [{ at: first, d: 1, key }, { at: last, d: -1, key }])
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : b.d - a.d))
  const open = new Set<string>()
  let most = 0
  let at = ''
  for (const e of events) {
    if (e.d > 0) open.add(e.key)
    else open.delete(e.key)
    if (open.size > most) (most = open.size), (at = [...open].join(', '))
  }
  return { most, at: `${at}${before.size ? ` (not counted, open before the deploy: ${[...before].join(', ')})` : ''}`, connections: seen.size }
}

function configure(): void {
  const config = {
    service,
    image,
    servers: { web: { hosts: fleet.map((h) => h.address) } },
    proxy: { host: proxyHost, app_port: 80, healthcheck: { path: '/up', interval: 1, timeout: 2 } },
    registry: { server: testbed.registry.server, username: testbed.registry.username, password: ['KAMAL_REGISTRY_PASSWORD'] },
    ssh: { user: testbed.ssh.user },
    drain_timeout: 5,
    // The verify window (default 5 s) is another test's subject; here it would only add time.
    'x-cutover': { fanout: { max_connections: 2 }, verify: { window: 0 } },
  }
  mkdirSync(join(dir, 'config'), { recursive: true })
  writeFileSync(join(dir, 'config/deploy.yml'), stringify(config))
}

/**
 * known_hosts is shared by every checkout, and an `up` elsewhere keeps only the hosts it knows
 * (vm1..vm3 on older branches): this run's copy, taken once the fleet's keys are in.
 */
const knownHosts = join(dir, 'known_hosts')

const deploy = (...flags: string[]): Promise<CliRun> =>
  cutover(['deploy', '--skip-build', '--version', version, '--known-hosts', knownHosts, '--ssh-key', testbed.ssh.keyPath, '--json', ...flags], {
    cwd: dir,
    env: { KAMAL_REGISTRY_PASSWORD: testbed.registry.password, USER: `e2e-${service}` },
    timeoutMs: 120_000,
  })

const result = (run: CliRun): DeployResult => {
  try {
    return JSON.parse(run.stdout) as DeployResult
  } catch {
    throw new Error(`cutover exited ${run.code} without a JSON result:\n${run.stderr}`)
  }
}

const runDocker = (...args: string[]): Promise<void> =>
  new Promise((ok, fail) => {
    const child = spawn(docker, ['--config', machineDockerConfig, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '0' } })
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    child.on('close', (code) => (code === 0 ? ok() : fail(new Error(`docker ${args[0]}: ${err.trim()}`))))
  })

const first: { run?: CliRun; samples?: Sample[] } = {}
const again: { run?: CliRun; samples?: Sample[] } = {}

beforeAll(async () => {
  // The extra hosts boot while the image is built and pushed.
  const ref = `${repository}:${version}`
  const [hosts] = await Promise.all([
    (async () => {
      const t = performance.now()
      const h = await ensureHosts(FLEET)
      bootMs = performance.now() - t
      return h
    })(),
    runDocker('build', '-q', '--build-arg', `BASE=${testbed.baseImage}`, '--build-arg', `VERSION=${version}`, '-t', ref, HELLO).then(() => runDocker('push', '-q', ref)),
  ])
  fleet = hosts
  copyFileSync(testbed.ssh.knownHostsPath, knownHosts)
  configure()
  const mark = (what: string, since: number) => process.stderr.write(`fleet.test: ${what} in ${((performance.now() - since) / 1000).toFixed(1)}s\n`)
  mark('hosts ready and image pushed', started)
  const names = fleet.map((h) => h.name)

  let sampler = sampleSshd(names)
  await sampler.ready
  let t = performance.now()
  first.run = await deploy()
  first.samples = await sampler.stop()
  mark('first deploy', t)

  sampler = sampleSshd(names)
  await sampler.ready
  t = performance.now()
  again.run = await deploy('--max-connections', '1')
  again.samples = await sampler.stop()
  mark('unchanged redeploy', t)
}, 240_000)

afterAll(async () => {
  // This file's app only: its containers, route, .kamal files and images, on every fleet host.
  const script = [
    'ids=$(docker ps -aq --filter "label=service=$1")',
    '[ -z "$ids" ] || docker rm -f $ids >/dev/null',
    'docker exec kamal-proxy kamal-proxy remove "$1-web" >/dev/null 2>&1 || true',
    'rm -rf "/root/.kamal/apps/$1" "/root/.kamal/lock-$1" "/root/.kamal/$1-audit.log"',
    'imgs=$(docker image ls -q "$2")',
    '[ -z "$imgs" ] || docker image rm -f $imgs >/dev/null 2>&1 || true',
  ].join('\n')
  await Promise.all(fleet.map((_, i) => runDocker('exec', hostContainer(i + 1), 'sh', '-c', script, 'sh', service, repository).catch(() => undefined)))
  process.stderr.write(`fleet.test: ${FLEET} hosts ready in ${(bootMs / 1000).toFixed(1)}s; whole file ${((performance.now() - started) / 1000).toFixed(1)}s\n`)
}, 60_000)

describe(`a fleet of ${FLEET} hosts with x-cutover.fanout.max_connections: 2`, () => {
  it('deploys to every host, and every host serves the version through its own kamal-proxy', async () => {
    expect(first.run!.code, first.run!.stderr).toBe(0)
    const r = result(first.run!)
    expect(r.hosts.map((h) => [h.host, h.action])).toEqual(fleet.map((h) => [h.address, 'booted']))
    const served = await Promise.all(fleet.map(async (h) => (await get(h.httpUrl, proxyHost, '/version')).body.trim()))
    expect(served).toEqual(fleet.map(() => version))
  })

  it('never had more than 2 sshd connections open across the fleet, and did use 2 at once', () => {
    const samples = first.samples!
    // The sampler ran on every host all along (about every 20 ms).
    for (const h of fleet) expect(samples.filter((s) => s.host === h.name).length, `${h.name} samples`).toBeGreaterThan(10)
    const { most, at, connections } = mostAtOnce(samples)
    expect(most, `most at once: ${at}`).toBeLessThanOrEqual(2)
    expect(most).toBe(2)
    // Every host was connected to at some point: the bound queued hosts, it did not drop any.
    for (const h of fleet) expect(samples.some((s) => s.host === h.name && s.peers.length > 0), `${h.name} was never connected`).toBe(true)
    process.stderr.write(`fleet.test: deploy: ${connections} sshd connections seen over ${FLEET} hosts, at most ${most} at once\n`)
  })

  it('--max-connections 1 wins over the config: the unchanged redeploy opens one connection at a time, every host unchanged', () => {
    expect(again.run!.code, again.run!.stderr).toBe(0)
    expect(result(again.run!).hosts.map((h) => h.action)).toEqual(fleet.map(() => 'unchanged'))
    const { most, at } = mostAtOnce(again.samples!)
    expect(most, `most at once: ${at}`).toBe(1)
  })
})
