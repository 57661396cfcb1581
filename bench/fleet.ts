import { deployJson } from '../test/testbed/cutover-cli.js'
import { helloConfigFor, helloDir } from '../test/testbed/hello-app.js'
import type { Testbed } from '../test/testbed/testbed-json.js'
import { sshArgv, timeProcesses } from './processes.js'
import type { Samples } from './stats.js'

/** The fleet sizes the benchmark compares. */
export const COUNTS = [1, 3, 6, 10] as const
export type Count = (typeof COUNTS)[number]

export interface FleetBench {
  testbed: Testbed
  env: NodeJS.ProcessEnv
  s: Samples
  log: (line: string) => void
  versions: { a: string; b: string }
  repository: string
}

type Expect = 'unchanged' | 'replaced' | 'any'

/** A fresh `cutover deploy` on the first `n` fleet hosts; every host's action is checked. Returns wall and slowest-host engine time. */
async function deployOn(f: FleetBench, config: string, n: number, version: string, expect: Expect): Promise<{ wallMs: number; engineMs: number }> {
  const { run, result } = await deployJson(f.testbed, version, { cwd: helloDir, env: f.env, config })
  const ok = run.code === 0 && result.hosts.length === n && result.hosts.every((h) => (expect === 'any' ? h.action !== 'failed' : h.action === expect))
  if (!ok) throw new Error(`bench: cutover deploy ${version} on ${n} host(s): expected ${expect}, got exit ${run.code}, ${result.hosts.map((h) => `${h.host} ${h.action}${h.error ? ` (${h.error.split('\n')[0]})` : ''}`).join(', ')}`)
  return { wallMs: run.wallMs, engineMs: Math.max(...result.hosts.map((h) => h.durationMs)) }
}

/**
 * Unchanged deploys and replacements at 1, 3, 6 and 10 hosts, each against its baseline in the
 * same loop: `ssh host docker ps` on as many hosts in parallel; for the replacement, the hand-run
 * minimal sequence on one host (handSequence below).
 */
export async function measureFleet(f: FleetBench, reps: number, replacementReps: number): Promise<void> {
  const hosts = f.testbed.hosts.map((h) => h.address)
  if (hosts.length < 10) throw new Error(`bench: the fleet has ${hosts.length} hosts, not 10`)
  const configs = Object.fromEntries(COUNTS.map((n) => [n, helloConfigFor(hosts.slice(0, n), `bench-fleet-${n}`)])) as Record<Count, string>
  const { a, b } = f.versions
  f.log(`fleet: deploying ${a} to ${hosts.length} hosts`)
  await deployOn(f, configs[10], 10, a, 'any')

  const ssh = (n: number) => timeProcesses(hosts.slice(0, n).map((h) => sshArgv(f.testbed, h, ['docker', 'ps'])))
  const unchanged: [string, () => Promise<number>][] = COUNTS.flatMap((n): [string, () => Promise<number>][] => [
    [`fleet cli unchanged, ${n}`, async () => (await deployOn(f, configs[n], n, a, 'unchanged')).wallMs],
    [`fleet ssh docker ps, ${n}`, () => ssh(n)],
  ])
  f.log(`fleet: unchanged deploys at ${COUNTS.join(', ')} hosts and their baselines: ${reps} repetitions`)
  for (const [, measure] of unchanged) await measure()
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < unchanged.length; i++) {
      const [name, measure] = unchanged[(i + r * 2) % unchanged.length]!
      f.s.add(name, await measure())
    }
  }

  // Replacements: every host in the measured set must start on one version, so each round goes
  // 10 → 6 → 3 → 1 hosts, each switching its hosts to the other version, then one untimed
  // deploy brings all 10 back onto one version. The hand sequence runs between them.
  f.log(`fleet: replacements at ${COUNTS.join(', ')} hosts, ${replacementReps} rounds, with the hand-run sequence`)
  const hand = handSequence(f, hosts[0]!)
  await hand.prepare()
  let all = a
  for (let r = 0; r < replacementReps; r++) {
    let next = all === a ? b : a
    for (const n of [10, 6, 3, 1] as const) {
      const { wallMs, engineMs } = await deployOn(f, configs[n], n, next, 'replaced')
      f.s.add(`fleet cli replaced, ${n}`, wallMs)
      f.s.add(`fleet engine replaced, ${n}`, engineMs)
      if (n === 1) f.s.add('hand sequence, 1 host', await hand.run())
      next = next === a ? b : a
    }
    all = all === a ? b : a
    await deployOn(f, configs[10], 10, all, 'any')
  }
  await hand.cleanup()
}

/**
 * The minimal replacement by hand, over ONE OpenSSH connection (process start included, like
 * cutover's wall time): run a new container of the already pulled image on the `kamal` network,
 * `kamal-proxy deploy` to it (kamal-proxy health-checks /up, switches and drains the old one) with
 * the same health-check settings as the example's config, then stop and remove the old container.
 * Nothing else: no observe, no lock, no env file, no audit, no prune.
 */
function handSequence(f: FleetBench, host: string) {
  const image = `${f.repository}:${f.versions.a}`
  let n = 0
  const script = [
    'set -e',
    'old=$(cat /root/.bench-hand 2>/dev/null || true)',
    'docker run -d --name "$1" --network kamal --network-alias "$1" "$2" >/dev/null',
    'docker exec kamal-proxy kamal-proxy deploy bench-hand --target="$1:80" --host=bench-hand.bench.test --deploy-timeout=30s --drain-timeout=30s --health-check-path=/up --health-check-interval=1s --health-check-timeout=5s >/dev/null',
    'if [ -n "$old" ]; then docker stop "$old" >/dev/null; docker rm "$old" >/dev/null; fi',
    'echo "$1" > /root/.bench-hand',
  ].join('\n')
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
  const once = (name: string) => timeProcesses([sshArgv(f.testbed, host, ['sh', '-c', quote(script), 'sh', name, image])])
  const cleanupScript = 'ids=$(docker ps -aq --filter name=bench-hand-); [ -z "$ids" ] || docker rm -f $ids >/dev/null; docker exec kamal-proxy kamal-proxy remove bench-hand >/dev/null 2>&1 || true; rm -f /root/.bench-hand'
  return {
    prepare: async () => {
      await timeProcesses([sshArgv(f.testbed, host, ['sh', '-c', quote(cleanupScript)])])
      await once(`bench-hand-${process.pid}-${n++}`)
    },
    run: () => once(`bench-hand-${process.pid}-${n++}`),
    cleanup: () => timeProcesses([sshArgv(f.testbed, host, ['sh', '-c', quote(cleanupScript)])]),
  }
}
