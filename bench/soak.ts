import { spawn } from 'node:child_process'
import { cliPath, sshFlags } from '../test/testbed/cutover-cli.js'
import { helloDir } from '../test/testbed/hello-app.js'
import { RequestLoop, type Answer } from '../test/testbed/request-loop.js'
import type { DeployResult } from '../src/engine/result.js'
import type { Testbed } from '../test/testbed/testbed-json.js'
import type { Phase, TrafficBucket } from './charts.js'
import { sshArgv, timeProcesses } from './processes.js'

/**
 * 20 consecutive cutover replacements (a ↔ b on 2 hosts) under continuous load, and in the same
 * loop the naive `docker rm -f && docker run` over SSH (what people do with an ssh action), on
 * its own published port of the first host, as the anchor. Bounded: at most `maxRequests`
 * requests and `maxMs` of load.
 */
export interface SoakResult {
  replacements: number
  naiveDeploys: number
  requests: number
  cutoverRequests: number
  cutoverFailed: number
  naiveRequests: number
  naiveFailed: number
  /** Failed requests per naive deploy, in order. */
  naiveFailedPerDeploy: number[]
  latency: { switching: number[]; steady: number[] }
  /** One replacement (the middle one) as the traffic chart shows it. */
  chart: { buckets: TrafficBucket[]; phases: Phase[]; versions: string[]; bucketMs: number }
  failures: string[]
}

const NAIVE_PORT = 8090
const BUCKET_MS = 100

interface Window {
  start: number
  end: number
  lines: { at: number; text: string }[]
}

export async function soak(testbed: Testbed, env: NodeJS.ProcessEnv, config: string, versions: { a: string; b: string }, repository: string, options: { replacements: number; naiveEvery: number; minRequests: number; maxMs: number }): Promise<SoakResult> {
  const [h1, h2] = testbed.hosts
  const naiveUrl = `http://${h1!.address}:${NAIVE_PORT}`
  const known = new Set([versions.a, versions.b])
  const naive = (version: string) => timeProcesses([sshArgv(testbed, h1!.address, ['sh', '-c', `'docker rm -f bench-naive >/dev/null 2>&1; docker run -d --name bench-naive -p ${NAIVE_PORT}:80 ${repository}:${version} >/dev/null'`])])
  await naive(versions.a)

  const loop = new RequestLoop(
    [
      { name: 'cutover vm1', url: h1!.httpUrl },
      { name: 'cutover vm2', url: h2!.httpUrl },
      { name: 'naive', url: naiveUrl },
    ],
    { path: '/version', workersPerHost: 4, maxRequests: options.minRequests * 3, maxMs: options.maxMs, requestTimeoutMs: 5_000, accept: (body) => known.has(body) },
  )
  const windows: Window[] = []
  const naiveStarts: number[] = []
  let current = versions.a
  let naiveVersion = versions.a
  await loop.waitFor(versions.a, 20)
  for (let i = 0; i < options.replacements; i++) {
    current = current === versions.a ? versions.b : versions.a
    windows.push(await deployStreaming(testbed, env, config, current, () => loop.elapsed()))
    if ((i + 1) % options.naiveEvery === 0) {
      naiveVersion = naiveVersion === versions.a ? versions.b : versions.a
      naiveStarts.push(loop.elapsed())
      await naive(naiveVersion)
    }
  }
  const answers = await loop.finish(20, options.minRequests)
  await timeProcesses([sshArgv(testbed, h1!.address, ['docker', 'rm', '-f', 'bench-naive'])])

  const cut = answers.filter((a) => a.host !== 'naive')
  const nai = answers.filter((a) => a.host === 'naive')
  const inWindow = (a: Answer) => windows.some((w) => a.sentAt >= w.start && a.sentAt <= w.end)
  const ends = [...naiveStarts.slice(1), Number.POSITIVE_INFINITY]
  const mid = windows[Math.floor(windows.length / 2)]!
  return {
    replacements: windows.length,
    naiveDeploys: naiveStarts.length,
    requests: answers.length,
    cutoverRequests: cut.length,
    cutoverFailed: cut.filter((a) => !a.ok).length,
    naiveRequests: nai.length,
    naiveFailed: nai.filter((a) => !a.ok).length,
    // A naive deploy's failures: from its start until the next one (the container listens only some time after `docker run` returns).
    naiveFailedPerDeploy: naiveStarts.map((s, i) => nai.filter((a) => !a.ok && a.sentAt >= s && a.sentAt < ends[i]!).length),
    latency: { switching: cut.filter((a) => a.ok && inWindow(a)).map((a) => a.tookMs), steady: cut.filter((a) => a.ok && !inWindow(a)).map((a) => a.tookMs) },
    chart: trafficOf(cut, mid, [versions.a, versions.b]),
    failures: [...new Set(answers.filter((a) => !a.ok && a.host !== 'naive').map((a) => `${a.host}: ${a.detail}`))].slice(0, 5),
  }
}

/** `cutover deploy` as a fresh process, its stderr lines stamped on the load loop's clock (the phases). */
function deployStreaming(testbed: Testbed, env: NodeJS.ProcessEnv, config: string, version: string, now: () => number): Promise<Window> {
  const args = [cliPath, 'deploy', '--skip-build', '--version', version, '-c', config, ...sshFlags(testbed), '--json']
  const start = now()
  const lines: Window['lines'] = []
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: helloDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let rest = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr.on('data', (b: Buffer) => {
      const parts = (rest + b.toString()).split('\n')
      rest = parts.pop() ?? ''
      for (const text of parts) lines.push({ at: now(), text })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      let result: DeployResult | undefined
      try {
        result = JSON.parse(out) as DeployResult
      } catch {
        result = undefined
      }
      if (code !== 0 || !result || !result.hosts.every((h) => h.action === 'replaced')) {
        return reject(new Error(`bench: soak: cutover deploy ${version} exited ${code}: ${result ? result.hosts.map((h) => `${h.host} ${h.action}`).join(', ') : lines.map((l) => l.text).join('\n')}`))
      }
      resolve({ start, end: now(), lines })
    })
  })
}

/** Requests per 100 ms by version served (and failures), 1 s either side of one replacement; its step lines as phases. */
function trafficOf(answers: readonly Answer[], w: Window, versions: string[]): SoakResult['chart'] {
  const from = w.start - 1000
  const to = w.end + 1000
  const buckets: TrafficBucket[] = Array.from({ length: Math.ceil((to - from) / BUCKET_MS) }, () => ({ byVersion: {}, errors: 0 }))
  for (const a of answers) {
    if (a.sentAt < from || a.sentAt >= to) continue
    const b = buckets[Math.floor((a.sentAt - from) / BUCKET_MS)]!
    if (a.ok) b.byVersion[a.detail] = (b.byVersion[a.detail] ?? 0) + 1
    else b.errors++
  }
  // The first host's step lines (`deploy: [address] web: …`, the CLI's phase prefix first), plus the process start and exit.
  const step = /\[([^\]]+)\]\s+web: (.*)$/
  const first = w.lines.map((l) => ({ at: l.at, m: l.text.match(step) })).filter((l) => l.m)
  const host = first[0]?.m?.[1]
  const steps = first.filter((l) => l.m![1] === host).map((l) => ({ atMs: l.at - from, label: l.m![2]!.slice(0, 38) }))
  return { buckets, phases: [{ atMs: w.start - from, label: 'cutover deploy starts' }, ...steps, { atMs: w.end - from, label: 'cutover exits' }], versions, bucketMs: BUCKET_MS }
}
