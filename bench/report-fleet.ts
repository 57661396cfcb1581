import { COUNTS } from './fleet.js'
import type { SoakResult } from './soak.js'
import { ms, ratio, summarize, type Samples } from './stats.js'

export interface FleetInfo {
  fleetReps: number
  replacementReps: number
  soak: SoakResult
  sizes: { file: string; bytes: number }[]
  compileCache: boolean
  startupReps: number
  charts: { traffic: string; scaling: string }
}

const header = '| what | median | middle half (p25 – p75) | ratio |\n| --- | --- | --- | --- |'
const verdict = (value: number, target: number): string => (Number.isFinite(value) ? (value <= target ? `**met** (≤ ${target}×)` : `**missed** (> ${target}×)`) : 'n/a')

function row(s: Samples, name: string, label: string, base?: string): string {
  const x = s.get(name)
  return `| ${label} | ${ms(x.median)} | ${ms(x.p25)} – ${ms(x.p75)} | ${base ? ratio(x.median, s.median(base)) : ''} |`
}

const pct = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]! : Number.NaN
}

/** The targets this file measures (the 2-host unchanged target is in the main table). */
export function fleetTargets(s: Samples, soak: SoakResult): string {
  const at10 = s.median('fleet cli unchanged, 10') / s.median('fleet ssh docker ps, 10')
  const growth = s.median('fleet cli unchanged, 10') / s.median('fleet cli unchanged, 1')
  const growthSsh = s.median('fleet ssh docker ps, 10') / s.median('fleet ssh docker ps, 1')
  const hand = s.median('fleet cli replaced, 1') / s.median('hand sequence, 1 host')
  return [
    `| unchanged deploy on 10 hosts vs. \`ssh host docker ps\` ×10 in parallel | ${ratio(at10, 1)} | ${verdict(at10, 1.3)} |`,
    `| unchanged deploy, 10 hosts vs. 1 host, normalised by the baseline's own growth (${ratio(growth, 1)} ÷ ${ratio(growthSsh, 1)}) | ${ratio(growth / growthSsh, 1)} | ${verdict(growth / growthSsh, 1.3)} |`,
    `| replacement on 1 host vs. the hand-run minimal sequence | ${ratio(hand, 1)} | ${verdict(hand, 1.2)} |`,
    `| failed requests over ${soak.replacements} replacements under load (${soak.cutoverRequests} requests to cutover's hosts) | ${soak.cutoverFailed} | ${soak.cutoverFailed === 0 ? '**met** (0)' : '**missed** (> 0)'} |`,
  ].join('\n')
}

export function renderFleet(s: Samples, info: FleetInfo): string {
  const { soak } = info
  const sw = summarize(soak.latency.switching)
  const st = summarize(soak.latency.steady)
  const naivePer = soak.naiveFailedPerDeploy
  return `
## Fleets: 1, 3, 6 and 10 hosts

The fleet is vm1…vm10 (\`ensureHosts(10)\` in test/testbed/up.ts), every host a container on this
same machine. Each deploy is a fresh \`cutover\` process with the default connection bound (30, so
one connection per host). ${info.fleetReps} repetitions of the unchanged rows, interleaved with
their baselines (the order rotates); ${info.replacementReps} rounds of replacements.

![wall time vs. host count](${info.charts.scaling})

### Unchanged deploy vs. \`ssh host docker ps\` on as many hosts in parallel

${header}
${COUNTS.map((n) => `${row(s, `fleet ssh docker ps, ${n}`, `baseline, ${n} host${n === 1 ? '' : 's'}`, 'fleet ssh docker ps, 1')}\n${row(s, `fleet cli unchanged, ${n}`, `cutover unchanged, ${n} host${n === 1 ? '' : 's'}`, `fleet ssh docker ps, ${n}`)}`).join('\n')}

Ratios: a baseline row against the 1-host baseline (its own growth), a cutover row against the
baseline at the same host count. Growth 1 → 10 hosts: cutover ${ratio(s.median('fleet cli unchanged, 10'), s.median('fleet cli unchanged, 1'))},
baseline ${ratio(s.median('fleet ssh docker ps, 10'), s.median('fleet ssh docker ps, 1'))}; normalised ${ratio(s.median('fleet cli unchanged, 10') / s.median('fleet cli unchanged, 1') / (s.median('fleet ssh docker ps, 10') / s.median('fleet ssh docker ps, 1')), 1)}.

### Replacement at 1, 3, 6 and 10 hosts, and the minimal sequence by hand

Each measured deploy switches every one of its hosts to the other version, whose container is
retained there (\`docker start\`, no pull). The hand-run sequence is the least a zero-downtime
switch takes on one host, over one OpenSSH connection: \`docker run\` (image already pulled),
\`kamal-proxy deploy\` (health check, switch, drain), \`docker stop\` + \`docker rm\` of the old one.

${header}
${row(s, 'hand sequence, 1 host', 'hand-run minimal sequence, 1 host', 'hand sequence, 1 host')}
${COUNTS.map((n) => `${row(s, `fleet cli replaced, ${n}`, `cutover replaced, ${n} host${n === 1 ? '' : 's'} (wall)`, 'fleet cli replaced, 1')}\n${row(s, `fleet engine replaced, ${n}`, `slowest host's own steps, ${n} host${n === 1 ? '' : 's'}`, 'fleet engine replaced, 1')}`).join('\n')}

Replacement on 1 host vs. the hand sequence: ${ratio(s.median('fleet cli replaced, 1'), s.median('hand sequence, 1 host'))}. Ratios in the table: against the 1-host row of the same kind.

## ${soak.replacements} replacements under load, and the naive \`docker rm -f && docker run\`

A bounded request loop (4 workers per target, a new connection per request) ran all along:
${soak.requests} requests in all, ${soak.cutoverRequests} to cutover's two hosts (through kamal-proxy on
127.0.0.1:18081/18082) and ${soak.naiveRequests} to the naive container (published on vm1's port 8090). cutover
switched a ↔ b ${soak.replacements} times in a row; every ${Math.round(soak.replacements / Math.max(soak.naiveDeploys, 1))} replacements, the same loop ran the
naive deploy once over SSH (${soak.naiveDeploys} times): \`docker rm -f app; docker run -d -p 8090:80 app:V\`.

| | requests | failed | failed per deploy |
| --- | --- | --- | --- |
| cutover (kamal-proxy), ${soak.replacements} replacements | ${soak.cutoverRequests} | **${soak.cutoverFailed}** | ${(soak.cutoverFailed / soak.replacements).toFixed(2)} |
| naive rm -f && run, ${soak.naiveDeploys} deploys | ${soak.naiveRequests} | **${soak.naiveFailed}** | ${naivePer.length ? `${naivePer.join(', ')} (median ${pct(naivePer, 0.5)})` : 'n/a'} |

Latency of cutover's answered requests (ms, each request on a new connection):

| | requests | p50 | p99 |
| --- | --- | --- | --- |
| during a switch (a \`cutover deploy\` running) | ${sw.n} | ${ms(sw.median)} | ${ms(pct(soak.latency.switching, 0.99))} |
| steady (between deploys) | ${st.n} | ${ms(st.median)} | ${ms(pct(soak.latency.steady, 0.99))} |
${soak.failures.length ? `\nFailures seen at cutover's hosts: ${soak.failures.map((f) => `\`${f}\``).join(', ')}\n` : ''}
![requests per 100 ms across one replacement](${info.charts.traffic})

The chart is the middle replacement: requests sent per 100 ms through vm1's and vm2's kamal-proxy,
coloured by the version that answered, failures in red; the dashed lines are the first host's step
lines as the CLI printed them (numbered in order), from the process start to its exit.

## The Action's cold start and the bundles

${header}
${row(s, 'node -e console.log (first line)', 'Node alone: `node -e "console.log(1)"`, spawn to first line', 'node -e console.log (first line)')}
${row(s, 'action cold start (first log line)', 'the Action: `node dist/action/index.js`, spawn to its first log line', 'node -e console.log (first line)')}
${info.compileCache ? row(s, 'action cold start, compile cache warm', 'the Action with NODE_COMPILE_CACHE (warm)', 'action cold start (first log line)') : ''}

${info.compileCache ? '' : `Node's compile cache (\`module.enableCompileCache\`, Node ≥ 22.1): skipped, this machine runs Node ${process.version}, which has none.\n`}
${info.startupReps} repetitions, interleaved. Bundles (what a run loads; dist/ as built by \`npm run build\` at the time of this run):

| file | size |
| --- | --- |
${info.sizes.map((f) => `| ${f.file} | ${(f.bytes / 1024).toFixed(0)} KiB |`).join('\n')}

Lazy loading: not changed in this round, so there is no before/after row of it here; the
\`BENCH_BEFORE_CLI\` section above compares whole builds when one is given.
`
}
