import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { cliPath, deployJson, withOwnKnownHosts } from '../test/testbed/cutover-cli.js'
import { buildAndPush, freshVersion, helloConfigFor, helloDir, helloEnv, helloRepository, removeLocalTags } from '../test/testbed/hello-app.js'
import { checkoutDir } from '../test/testbed/layout.js'
import type { Testbed } from '../test/testbed/testbed-json.js'
import { ensureHosts, up } from '../test/testbed/up.js'
import { lineChart, trafficChart } from './charts.js'
import { COUNTS, measureFleet } from './fleet.js'
import { fleetTargets, renderFleet } from './report-fleet.js'
import { soak } from './soak.js'
import { bundleSizes, hasCompileCache, measureStartup } from './startup.js'
import { inProcessDeploy, observeCommand, unchangedPhases } from './engine.js'
import { sshArgv, timeProcesses } from './processes.js'
import { renderResults } from './report.js'
import { Samples } from './stats.js'

/**
 * `npm run bench`: timings on the testbed, each against a baseline measured in the same run,
 * compared as medians. Writes bench/results.md and prints it. Not a test: nothing here asserts
 * a time; a deploy that does not do what was measured (e.g. not `unchanged`) stops the run.
 */
const reps = Number(process.env.BENCH_REPS ?? 7)
/** The fleet part (bench/fleet.ts, soak.ts, startup.ts): repetitions and sizes, bounded so the whole run fits ~15 minutes. */
const fleetReps = Number(process.env.BENCH_FLEET_REPS ?? 3)
const fleetReplacements = Number(process.env.BENCH_FLEET_REPLACEMENTS ?? 2)
const soakReplacements = Number(process.env.BENCH_SOAK_REPLACEMENTS ?? 20)
const soakRequests = Number(process.env.BENCH_SOAK_REQUESTS ?? 20_000)
const startupReps = Number(process.env.BENCH_STARTUP_REPS ?? 7)
const replacements = Number(process.env.BENCH_REPLACEMENTS ?? 6)
const fresh = Number(process.env.BENCH_FRESH ?? 3)
/**
 * Another build of the CLI (e.g. `git show main:dist/cli/index.js > /tmp/before.js`): its
 * unchanged deploys are measured in the same loop, interleaved, for a before/after under the
 * same load. The bundle is self-contained, so any earlier commit's dist/cli/index.js works.
 */
const beforeCli = process.env.BENCH_BEFORE_CLI ? resolve(process.env.BENCH_BEFORE_CLI) : undefined
const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`)
}

type Expect = 'unchanged' | 'replaced' | 'booted or replaced'

async function main(): Promise<void> {
  // Three hosts for the growth measurement (vm3 joins; vm1 and vm2 are reused as they run).
  process.env.TESTBED_HOSTS = '3'
  const shared = await up()
  const testbed: Testbed = withOwnKnownHosts(shared)
  if (!hasCompileCache()) log(`Node's compile cache (module.enableCompileCache, Node >= 22.1): skipped, Node ${process.version} has none`)
  if (testbed.hosts.length < 3) throw new Error('bench: the testbed has fewer than 3 hosts')
  const address = testbed.hosts.map((h) => h.address)
  const configs = { 1: helloConfigFor(address.slice(0, 1), 'bench-1-host'), 2: helloConfigFor(address.slice(0, 2), 'bench-2-hosts'), 3: helloConfigFor(address.slice(0, 3), 'bench-3-hosts') }

  const repository = helloRepository()
  const at = new Date()
  const [a, b] = [freshVersion('bench-a', at), freshVersion('bench-b', at)]
  const freshVersions = Array.from({ length: fresh }, (_, i) => freshVersion(`bench-f${i + 1}`, at))
  log(`building and pushing ${2 + fresh} versions of examples/hello`)
  const refs: string[] = []
  try {
    for (const v of [a, b, ...freshVersions]) refs.push(await buildAndPush(testbed, repository, v))
    await measure(testbed, configs, { a, b, freshVersions }, shared)
  } finally {
    await removeLocalTags(refs)
  }
}

async function measure(testbed: Testbed, configs: Record<1 | 2 | 3, string>, versions: { a: string; b: string; freshVersions: string[] }, shared: Testbed): Promise<void> {
  const { a, b, freshVersions } = versions
  const env = helloEnv(testbed)
  const address = testbed.hosts.map((h) => h.address)
  const load = [loadavg()[0]!]
  const started = performance.now()

  const cli = async (hosts: 1 | 2 | 3, version: string, expect: Expect, bundle?: string) => {
    const { run, result } = await deployJson(testbed, version, { cwd: helloDir, env, config: configs[hosts], ...(bundle ? { cli: bundle } : {}) })
    const ok = run.code === 0 && result.hosts.length === hosts && result.hosts.every((h) => (expect === 'booted or replaced' ? h.action === 'booted' || h.action === 'replaced' : h.action === expect))
    if (!ok) throw new Error(`bench: cutover deploy ${version} on ${hosts} host(s): expected ${expect}, got exit ${run.code}, ${result.hosts.map((h) => `${h.host} ${h.action}${h.error ? ` (${h.error})` : ''}`).join(', ')}`)
    return { wallMs: run.wallMs, engineMs: Math.max(...result.hosts.map((h) => h.durationMs)) }
  }
  const inProcess = async (hosts: 1 | 2 | 3, version: string) => {
    const { ms, result } = await inProcessDeploy(testbed, configs[hosts], version)
    if (result.hosts.some((h) => h.action !== 'unchanged')) throw new Error(`bench: in-process deploy ${version} on ${hosts} host(s) was not unchanged: ${JSON.stringify(result.hosts)}`)
    return ms
  }
  const ssh = (hosts: number, command: string[]) => timeProcesses(address.slice(0, hosts).map((h) => sshArgv(testbed, h, command)))

  const s = new Samples()
  log(`deploying ${a} to ${address.length} hosts`)
  await cli(3, a, 'booted or replaced')

  // Unchanged deploys and their baselines, interleaved so that drift hits every series alike;
  // the order rotates every repetition. One untimed round first warms caches on every side.
  const observeScript = observeCommand(testbed, configs[1], a)
  const unchanged: [string, () => Promise<number>][] = [
    ['ssh docker ps, 2 hosts', () => ssh(2, ['docker', 'ps'])],
    ['cli unchanged, 2 hosts', async () => (await cli(2, a, 'unchanged')).wallMs],
    ['in-process unchanged, 2 hosts', () => inProcess(2, a)],
    ['ssh docker ps, 1 host', () => ssh(1, ['docker', 'ps'])],
    ['ssh docker ps, 3 hosts', () => ssh(3, ['docker', 'ps'])],
    ['cli unchanged, 1 host', async () => (await cli(1, a, 'unchanged')).wallMs],
    ['cli unchanged, 3 hosts', async () => (await cli(3, a, 'unchanged')).wallMs],
    ['in-process unchanged, 1 host', () => inProcess(1, a)],
    ['in-process unchanged, 3 hosts', () => inProcess(3, a)],
    ['ssh true, 2 hosts', () => ssh(2, ['true'])],
    ['ssh observe script, 2 hosts', () => ssh(2, [observeScript])],
    ['node -e 0', () => timeProcesses([[process.execPath, '-e', '0']])],
    ['cli --help (Node + bundle load)', () => timeProcesses([[process.execPath, cliPath, '--help']])],
    ...(beforeCli
      ? ([
          ['before: cli unchanged, 2 hosts', async () => (await cli(2, a, 'unchanged', beforeCli)).wallMs],
          ['before: cli unchanged, 1 host', async () => (await cli(1, a, 'unchanged', beforeCli)).wallMs],
          ['before: cli unchanged, 3 hosts', async () => (await cli(3, a, 'unchanged', beforeCli)).wallMs],
        ] as [string, () => Promise<number>][])
      : []),
  ]
  log(`unchanged deploys and baselines: ${reps} repetitions of ${unchanged.length} measurements`)
  for (const [, measure] of unchanged) await measure()
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < unchanged.length; i++) {
      const [name, measure] = unchanged[(i + r) % unchanged.length]!
      s.add(name, await measure())
    }
    for (const [phase, value] of Object.entries(await unchangedPhases(testbed, configs[2], a))) s.add(`phase ${phase}`, value)
  }

  // Replacements on 2 hosts. Alternating a↔b: from the second switch on, the version deployed
  // is a stopped, retained container that is started again (a rollback). Fresh versions: pull
  // and run a new container each time.
  log(`replacements: ${replacements} alternating, ${fresh} fresh`)
  await cli(2, b, 'replaced')
  for (let r = 0; r < replacements; r++) {
    const { wallMs, engineMs } = await cli(2, r % 2 === 0 ? a : b, 'replaced')
    s.add('cli replaced alternating, 2 hosts', wallMs)
    s.add('engine replaced alternating, 2 hosts', engineMs)
  }
  for (const v of freshVersions) {
    const { wallMs, engineMs } = await cli(2, v, 'replaced')
    s.add('cli replaced fresh, 2 hosts', wallMs)
    s.add('engine replaced fresh, 2 hosts', engineMs)
  }
  log(`first part done in ${((performance.now() - started) / 1000).toFixed(0)}s`)

  // Each stage of the fleet part on its own: a stage that fails is reported in results.md, the others still are.
  const failed: string[] = []
  const stage = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn()
    } catch (e) {
      failed.push(`${name}: ${e instanceof Error ? e.message : String(e)}`)
      log(`${name} FAILED: ${e instanceof Error ? e.message : String(e)}`)
      return undefined
    }
  }
  await stage('startup', () => measureStartup(s, startupReps))
  // The fleet: vm1..vm10 (the extra hosts start here, only if they are not running yet).
  const fleetHosts = await ensureHosts(10)
  // A fresh copy of the shared known_hosts, which now holds the extra hosts' keys too.
  const fleetBed = withOwnKnownHosts({ ...shared, hosts: fleetHosts })
  const repository = helloRepository()
  await stage('fleet', () => measureFleet({ testbed: fleetBed, env, s, log, versions: { a, b }, repository }, fleetReps, fleetReplacements))
  log(`fleet done at ${((performance.now() - started) / 1000).toFixed(0)}s; soak: ${soakReplacements} replacements under >= ${soakRequests} requests`)
  const soaked = await stage('soak', async () => {
    await cli(2, a, 'booted or replaced').catch(() => cli(2, a, 'unchanged'))
    return soak(fleetBed, env, configs[2], { a, b }, repository, { replacements: soakReplacements, naiveEvery: 4, minRequests: soakRequests, maxMs: 420_000 })
  })
  if (soaked) log(`soak done at ${((performance.now() - started) / 1000).toFixed(0)}s: ${soaked.requests} requests, cutover failed ${soaked.cutoverFailed}, naive failed ${soaked.naiveFailed}`)
  load.push(loadavg()[0]!)
  if (!soaked) {
    writeFileSync(join(checkoutDir, 'bench', 'results.md'), `${renderResults(s, { reps, replacements, fresh, hosts: fleetHosts.map((h) => h.name), load })}\n## Fleet part FAILED\n\n${failed.map((f) => `- ${f}`).join('\n')}\n`)
    throw new Error(`bench: ${failed.join('; ')}`)
  }

  const charts = { traffic: 'replacement-traffic.svg', scaling: 'fleet-scaling.svg' }
  writeFileSync(join(checkoutDir, 'bench', charts.traffic), trafficChart('One cutover replacement under load, 2 hosts', soaked.chart.buckets, soaked.chart.bucketMs, soaked.chart.phases, soaked.chart.versions))
  const median = (name: string) => s.median(name)
  writeFileSync(
    join(checkoutDir, 'bench', charts.scaling),
    lineChart('Wall time vs. host count (medians, fresh processes)', 'hosts', 'ms', [
      { name: 'cutover unchanged', points: COUNTS.map((n) => [n, median(`fleet cli unchanged, ${n}`)]) },
      { name: 'ssh host docker ps', points: COUNTS.map((n) => [n, median(`fleet ssh docker ps, ${n}`)]) },
      { name: 'cutover replaced', points: COUNTS.map((n) => [n, median(`fleet cli replaced, ${n}`)]) },
      { name: 'hand sequence (1 host)', points: [[1, median('hand sequence, 1 host')]] },
    ]),
  )
  const fleetInfo = { fleetReps, replacementReps: fleetReplacements, soak: soaked, sizes: bundleSizes(), compileCache: hasCompileCache(), startupReps, charts }
  const markdown = renderResults(s, {
    reps, replacements, fresh, hosts: fleetHosts.map((h) => h.name), load,
    ...(beforeCli ? { beforeCli: process.env.BENCH_BEFORE_LABEL ?? beforeCli } : {}),
    extraTargets: fleetTargets(s, soaked),
    extraSections: `${renderFleet(s, fleetInfo)}${failed.length ? `\n## Stages that FAILED\n\n${failed.map((f) => `- ${f}`).join('\n')}\n` : ''}
Whole run: ${((performance.now() - started) / 60_000).toFixed(1)} minutes after the builds.
`,
  })
  const out = join(checkoutDir, 'bench', 'results.md')
  writeFileSync(out, markdown)
  process.stdout.write(markdown)
  log(`wrote ${out} and bench/${charts.traffic}, bench/${charts.scaling}`)
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
