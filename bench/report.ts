import { availableParallelism, cpus, release, totalmem } from 'node:os'
import { ms, ratio, type Samples } from './stats.js'

export interface RunInfo {
  reps: number
  replacements: number
  fresh: number
  hosts: string[]
  /** The 1-minute load average when the measurements began and ended. */
  load: number[]
  /** What BENCH_BEFORE_CLI named, when the run compared with another build. */
  beforeCli?: string
  /** More rows for the targets table (the fleet's, bench/report-fleet.ts). */
  extraTargets?: string
  /** More sections after everything else (the fleet's). */
  extraSections?: string
}

const row = (s: Samples, name: string, label = name, baseline?: string): string => {
  const x = s.get(name)
  return `| ${label} | ${ms(x.median)} | ${ms(x.p25)} – ${ms(x.p75)} | ${baseline ? ratio(x.median, s.median(baseline)) : ''} |`
}

const verdict = (value: number, target: number): string => (value <= target ? `**met** (≤ ${target}×)` : `**missed** (target ≤ ${target}×)`)

/** Where an unchanged deploy's time goes, from this run's medians. */
function analysis(s: Samples): string {
  const cli = s.median('cli unchanged, 2 hosts')
  const start = s.median('cli --help (Node + bundle load)')
  const node = s.median('node -e 0')
  const engine = s.median('in-process unchanged, 2 hosts')
  const observeExtra = s.median('ssh observe script, 2 hosts') - s.median('ssh docker ps, 2 hosts')
  return `A fresh \`cutover deploy\` that finds nothing to do took ${ms(cli)} (median). Of that:

- ${ms(start)}: Node's startup (${ms(node)}) and loading the bundle (\`cutover --help\` does only that);
- ${ms(engine)}: the engine itself, as measured in-process: config, registry check, SSH connect
  and observe (its phases, timed one after the other: connect ${ms(s.median('phase connect'))}, observe ${ms(s.median('phase observe'))});
- ${ms(cli - start - engine)}: the rest, which a warm process does not pay: code run for the first time
  (the registry's TLS context; ssh2, yaml and zod compiled on first use).

On each host an unchanged deploy opens one SSH connection and runs one read-only observe script,
a "first look": 2 docker CLI runs in parallel (one formatted \`docker ps\` of every container,
which also yields kamal-proxy's container and the network; \`docker exec kamal-proxy kamal-proxy
list\`), plus the lock test. Whether a host has anything to do depends on nothing else. When there
is work, the look under the deploy lock is a full one: \`docker ps\`, one \`docker container
inspect\` of every container (creation times, image ids for pruning, health), the routes, and the
repository's tags (\`docker image ls --digests\`).
Through OpenSSH on both hosts the first look costs ${ms(observeExtra)} more than \`docker ps\`. Its slowest
probe is \`kamal-proxy list\`: a \`docker exec\`, the only way to read the routes (kamal-proxy has
no JSON output and its socket is inside its container). Every "host" here shares the machine's
cores with the others and with the client, so the probes' CPU time adds up; the same holds for
the growth from 1 to 3 hosts, where the baseline grows too.

What is left, and why:

- the SSH connect (connect phase above): the server's key exchange and login, which the
  baseline pays too (\`ssh host true\` ×2, process start included: ${ms(s.median('ssh true, 2 hosts'))});
- Node's startup and the bundle: ssh2, zod and yaml make up most of it and every deploy needs
  them; the build and gate code is about 60 KB of the ~2 MB bundle (esbuild metafile, measured
  when this text was written), so loading it lazily would save little. Node ≥ 22 can cache the
  compiled bundle (\`module.enableCompileCache\`); this machine has Node 20 only, so that is untried.

Done so far: SSH connections turn Nagle's algorithm off (src/remote/connection.ts): ssh2 left it on
and often writes a message in more than one segment, so nearly every round trip of the
handshake, the login and each command waited ~40 ms for the server's delayed ACK; hosts are
dialled while the registry is asked for the digest (src/engine/service.ts, \`dialEarly\`); observe
runs no \`docker version\`, no network probe, no separate kamal-proxy or image inspect, and
deploy's first pass is a first look: 2 docker CLI runs per host on an unchanged deploy, down
from 7 (4 in a full look) (src/commands/observe.ts, src/commands/observation.ts,
src/engine/deploy.ts); the CLI runs git for the gate's commit only when the gate is on
(src/cli/gate-flags.ts).`
}

/** Same-run comparison with another build of the CLI (BENCH_BEFORE_CLI), when there is one. */
function beforeAfter(s: Samples, label: string | undefined, header: string): string {
  if (!label || !s.has('before: cli unchanged, 2 hosts')) return ''
  const growth = (prefix: string): number => s.median(`${prefix}cli unchanged, 3 hosts`) / s.median(`${prefix}cli unchanged, 1 host`)
  return `
## Before and after (same run)

"before" is \`${label}\` (BENCH_BEFORE_CLI), another build of the CLI, measured in the same loop as
this checkout's, interleaved, on the same hosts and versions (every run checked \`unchanged\`).

${header}
${row(s, 'before: cli unchanged, 2 hosts', 'before: unchanged, 2 hosts', 'ssh docker ps, 2 hosts')}
${row(s, 'cli unchanged, 2 hosts', 'after: unchanged, 2 hosts', 'ssh docker ps, 2 hosts')}
${row(s, 'before: cli unchanged, 1 host', 'before: unchanged, 1 host', 'before: cli unchanged, 1 host')}
${row(s, 'before: cli unchanged, 3 hosts', 'before: unchanged, 3 hosts', 'before: cli unchanged, 1 host')}
${row(s, 'cli unchanged, 1 host', 'after: unchanged, 1 host', 'cli unchanged, 1 host')}
${row(s, 'cli unchanged, 3 hosts', 'after: unchanged, 3 hosts', 'cli unchanged, 1 host')}

Ratios: the 2-host rows against this run's baseline (\`ssh host docker ps\` ×2); the 1- and 3-host rows
against the same build's 1-host median. After ÷ before, medians: 2 hosts ${ratio(s.median('cli unchanged, 2 hosts'), s.median('before: cli unchanged, 2 hosts'))},
1 host ${ratio(s.median('cli unchanged, 1 host'), s.median('before: cli unchanged, 1 host'))}, 3 hosts ${ratio(s.median('cli unchanged, 3 hosts'), s.median('before: cli unchanged, 3 hosts'))}; growth 1→3 before ${ratio(growth('before: '), 1)}, after ${ratio(growth(''), 1)}.
`
}

/** bench/results.md: numbers, machine, date, and whether each target is met. */
export function renderResults(s: Samples, info: RunInfo): string {
  const unchangedRatio = s.median('cli unchanged, 2 hosts') / s.median('ssh docker ps, 2 hosts')
  const inProcessRatio = s.median('in-process unchanged, 2 hosts') / s.median('ssh docker ps, 2 hosts')
  const growth = s.median('cli unchanged, 3 hosts') / s.median('cli unchanged, 1 host')
  const growthInProcess = s.median('in-process unchanged, 3 hosts') / s.median('in-process unchanged, 1 host')
  const growthSsh = s.median('ssh docker ps, 3 hosts') / s.median('ssh docker ps, 1 host')
  const phases = ['config', 'registry', 'connect', 'observe', 'close']
  const header = '| what | median | middle half (p25 – p75) | ratio |\n| --- | --- | --- | --- |'

  return `# Benchmarks

Written by \`npm run bench\` (bench/bench.ts) on ${new Date().toISOString()}.

- Machine: ${availableParallelism()} cores (\`nproc\`), ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}.
- Load: the machine is shared (other sessions run tests on it); 1-minute load average ${info.load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end.
- Testbed: ${info.hosts.join(', ')}; each host is a container **on this same machine**, with its own sshd and
  Docker engine, so all hosts and the client share these ${availableParallelism()} cores.
- Each number is a median of ${info.reps} repetitions (replacements: ${info.replacements} alternating, ${info.fresh} fresh),
  with its baseline measured in the same run, interleaved with it. Wall times are from spawning the
  first process to the exit of the last one.

## Targets

| target | measured (ratio of medians) | verdict |
| --- | --- | --- |
| unchanged deploy on 2 hosts (fresh \`cutover\` process) vs. \`ssh host docker ps\` per host in parallel | ${ratio(unchangedRatio, 1)} | ${verdict(unchangedRatio, 1.2)} |
| unchanged deploy on 3 hosts vs. 1 host (fresh \`cutover\` process) | ${ratio(growth, 1)} | ${verdict(growth, 1.3)} |${info.extraTargets ? `\n${info.extraTargets}` : ''}

For reference, not targets:

- the same ratios without Node's startup and the bundle load (the engine called in the
  benchmark's process): unchanged vs. baseline ${ratio(inProcessRatio, 1)}, 3 hosts vs. 1 host ${ratio(growthInProcess, 1)};
- **normalised growth** 1→3 hosts: cutover's growth ÷ the baseline's own growth on this machine
  (${ratio(growth, 1)} ÷ ${ratio(growthSsh, 1)}) = ${ratio(growth / growthSsh, 1)}. All "hosts" share this machine's ${availableParallelism()} cores, so even
  \`ssh host docker ps\` grows ${ratio(growthSsh, 1)} from 1 to 3 hosts here; this shows how much of cutover's
  growth is its own. The target above is the raw ratio, and its verdict stands as measured.
${beforeAfter(s, info.beforeCli, header)}
## Where the time goes, and what is left

${analysis(s)}

## Unchanged deploy vs. the SSH baseline (2 hosts)

The baseline is the plain OpenSSH client, one fresh connection per host in parallel
(\`ssh -F /dev/null -i KEY -o UserKnownHostsFile=… -o StrictHostKeyChecking=yes HOST docker ps\`).
"cli" is \`node dist/cli/index.js deploy --skip-build --version V -c FILE --known-hosts … --ssh-key … --json\`
as a fresh process (every run checked: exit 0, every host \`unchanged\`). "in-process" is
\`deployService\` from src/ in the benchmark's own process, with a fresh config load and fresh SSH
connections per run: the engine's time without Node's startup and module loading.

${header}
${row(s, 'ssh docker ps, 2 hosts', 'baseline: `ssh host docker ps` ×2 in parallel', 'ssh docker ps, 2 hosts')}
${row(s, 'cli unchanged, 2 hosts', 'cutover deploy, unchanged (fresh process)', 'ssh docker ps, 2 hosts')}
${row(s, 'in-process unchanged, 2 hosts', 'engine in-process, unchanged', 'ssh docker ps, 2 hosts')}

## Replacement (2 hosts)

Fresh \`cutover\` processes; every run checked \`replaced\` on both hosts. "engine" is the slowest
host's \`durationMs\` from the JSON result: for a replaced host, the time its own steps took, from its
first step to its last (the audit log). The process start, the registry check, the
observes and the lock before them are only in the wall time.

${header}
${row(s, 'cli replaced alternating, 2 hosts', 'v1 ↔ v2 alternating (starts the retained container), wall')}
${row(s, 'engine replaced alternating, 2 hosts', 'v1 ↔ v2 alternating, engine')}
${row(s, 'cli replaced fresh, 2 hosts', 'a new version each time (pull + run), wall')}
${row(s, 'engine replaced fresh, 2 hosts', 'a new version each time, engine')}

A replacement's wall time holds two observes (one before and one under the deploy lock) and the
lock itself; the engine time is the host's steps, each one command over the open SSH connection:
pull and run (or start the retained container), the switch through kamal-proxy (which
health-checks \`/up\` first), stop the old container, prune images, append to the audit log.

## Growth from 1 to 3 hosts (unchanged deploy)

${header}
${row(s, 'cli unchanged, 1 host', 'cutover, 1 host (fresh process)', 'cli unchanged, 1 host')}
${row(s, 'cli unchanged, 3 hosts', 'cutover, 3 hosts (fresh process)', 'cli unchanged, 1 host')}
${row(s, 'in-process unchanged, 1 host', 'engine in-process, 1 host', 'in-process unchanged, 1 host')}
${row(s, 'in-process unchanged, 3 hosts', 'engine in-process, 3 hosts', 'in-process unchanged, 1 host')}
${row(s, 'ssh docker ps, 1 host', 'baseline `ssh host docker ps`, 1 host', 'ssh docker ps, 1 host')}
${row(s, 'ssh docker ps, 3 hosts', 'baseline `ssh host docker ps` ×3 in parallel', 'ssh docker ps, 1 host')}

The baseline itself grows ${ratio(growthSsh, 1)} from 1 to 3 hosts here: the "hosts" share the machine's cores.

## Where the time goes (unchanged deploy, 2 hosts)

Phases of the engine in-process, each timed as a wall time over both hosts in parallel, in the
order deployService runs them; then the pieces a fresh process adds, and OpenSSH doing parts
of the same work.

${header}
${phases.map((p) => row(s, `phase ${p}`, `engine: ${p}`)).join('\n')}
${row(s, 'node -e 0', 'Node startup (`node -e 0`)')}
${row(s, 'cli --help (Node + bundle load)', 'Node startup + loading dist/cli/index.js (`cutover --help`)')}
${row(s, 'ssh true, 2 hosts', 'OpenSSH connect only (`ssh host true` ×2)', 'ssh docker ps, 2 hosts')}
${row(s, 'ssh docker ps, 2 hosts', 'OpenSSH + `docker ps` ×2 (the baseline)', 'ssh docker ps, 2 hosts')}
${row(s, 'ssh observe script, 2 hosts', 'OpenSSH + cutover\'s observe script (first look) ×2', 'ssh docker ps, 2 hosts')}
${info.extraSections ?? ''}`
}
