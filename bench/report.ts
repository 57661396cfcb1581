import { availableParallelism, cpus, release, totalmem } from 'node:os'
import { ms, ratio, type Samples } from './stats.js'

export interface RunInfo {
  reps: number
  replacements: number
  fresh: number
  hosts: string[]
  /** The 1-minute load average when the measurements began and ended. */
  load: number[]
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

- ${ms(start)}: Node's startup (${ms(node)}) and loading the 1.6 MB bundle (\`cutover --help\` does only that);
- ${ms(engine)}: the engine itself, as measured in-process: config, registry check, SSH connect
  and observe (its phases, timed one after the other: connect ${ms(s.median('phase connect'))}, observe ${ms(s.median('phase observe'))});
- ${ms(cli - start - engine)}: the rest, which a warm process does not pay: code run for the first time
  (TLS context for the registry, ssh2, yaml and zod compiled on first use) and the CLI's git probe
  for the gate's commit.

The baseline does one \`docker ps\` per host. cutover's observe runs 8 read-only probes per host
(7 docker CLI runs, one of them \`docker exec kamal-proxy kamal-proxy list\`) in parallel; through
OpenSSH on both hosts that costs ${ms(observeExtra)} more than \`docker ps\`. They run in parallel on
each host, but here every "host" shares the machine's cores with the others and with the client,
so their CPU time adds up; the same holds for the growth from 1 to 3 hosts, where the baseline
grows too.

Done in this branch: hosts are dialled while the registry is asked for the digest
(src/engine/service.ts, \`dialEarly\`), and observe no longer runs \`docker version\`
(src/commands/observe.ts, src/commands/observation.ts).

Proposed, not done (each removes work from every unchanged deploy):

1. observe: fold the \`kamal-proxy\` container inspect into the containers inspect, and the
   image inspect into \`docker image ls --digests\`: two docker CLI runs fewer per host
   (src/commands/observe.ts, src/commands/observation.ts).
2. CLI: ask git for the commit only when the CI gate is on; today \`cutover deploy --version V\`
   runs git three times before it starts (src/cli/commands/deploy.ts, \`commitFor\`).
3. CLI: load the build and gate code only when a run needs it, so that a \`--skip-build\` deploy
   does not evaluate it at startup (src/cli/commands/deploy.ts imports; unmeasured).`
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
| unchanged deploy on 2 hosts (fresh \`cutover\` process) vs. \`ssh host docker ps\` per host in parallel | ${ratio(unchangedRatio, 1)} | ${verdict(unchangedRatio, 2)} |
| unchanged deploy on 3 hosts vs. 1 host (fresh \`cutover\` process) | ${ratio(growth, 1)} | ${verdict(growth, 1.3)} |

For reference, the same ratios without Node's startup and the bundle load (the engine called in
the benchmark's process): unchanged vs. baseline ${ratio(inProcessRatio, 1)}, 3 hosts vs. 1 host ${ratio(growthInProcess, 1)}.

## Why, and what would close the gap

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
${row(s, 'ssh observe script, 2 hosts', 'OpenSSH + cutover\'s observe script ×2', 'ssh docker ps, 2 hosts')}
`
}
