import { relative } from 'node:path'
import type { DeployResult, HostAction } from '../../src/engine/result.js'
import { deployJson, sshFlags, withOwnKnownHosts } from './cutover-cli.js'
import { buildAndPush, freshVersion, helloConfigFor, helloDir, helloEnv, helloHosts, helloRepository, removeLocalTags } from './hello-app.js'
import { RequestLoop, runsOf } from './request-loop.js'
import type { Testbed } from './testbed-json.js'
import { up } from './up.js'

/**
 * `npm run demo`: the testbed up, two fresh versions of examples/hello built and pushed, then
 * the bundled CLI (dist/cli/index.js) deploys v1, v1 again (unchanged), and v2 while a bounded
 * request loop hits every host's kamal-proxy. Every run picks new version tags, so a second run
 * works and removes nothing an earlier run (or anyone else) left; see freshVersion.
 */
const say = (line = ''): void => {
  process.stdout.write(`${line}\n`)
}
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`

/** What the demo expects and what it saw; the exit code is 1 when any expectation failed. */
const problems: string[] = []
const expect = (ok: boolean, what: string): void => {
  if (!ok) problems.push(what)
}

function table(testbed: Testbed, result: DeployResult, wallMs: number): void {
  const name = (host: string) => testbed.hosts.find((h) => h.address === host)?.name ?? host
  const rows = [['HOST', 'ACTION', 'TIME'], ...result.hosts.map((h) => [name(h.host), h.action, secs(h.durationMs)])]
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  for (const r of rows) say(`   ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd())
  say(`   (TIME: each host's durationMs in cutover's JSON; the cutover process ran ${secs(wallMs)} from start to exit)`)
  for (const h of result.hosts.filter((x) => x.error)) say(`   ${name(h.host)}: ${h.error}`)
}

async function versionsNow(testbed: Testbed): Promise<string[]> {
  return Promise.all(
    testbed.hosts.map(async (h) => {
      const r = await fetch(`${h.httpUrl}/version`, { signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e)
      return r instanceof Error ? `error: ${r.message}` : `${r.status === 200 ? '' : `HTTP ${r.status} `}${(await r.text()).trim()}`
    }),
  )
}

async function deployStep(testbed: Testbed, n: number, title: string, version: string, expected: readonly HostAction[], options: { cwd: string; env: NodeJS.ProcessEnv; config?: string }): Promise<DeployResult> {
  say(`${n}. ${title}`)
  const { run, result } = await deployJson(testbed, version, options)
  table(testbed, result, run.wallMs)
  const unexpected = result.hosts.filter((h) => !expected.includes(h.action))
  expect(run.code === 0 && unexpected.length === 0, `deploy ${version} (${title}): exit ${run.code}; expected ${expected.join(' or ')} on every host, got ${result.hosts.map((h) => `${h.host} ${h.action}`).join(', ')}`)
  if (run.code !== 0) say(`   cutover said:\n${run.stderr.trim().replace(/^/gm, '   | ')}`)
  say()
  return result
}

async function demo(): Promise<void> {
  const testbed = withOwnKnownHosts(await up())
  const addresses = testbed.hosts.map((h) => h.address)
  const names = testbed.hosts.map((h) => h.name).join(', ')
  // The example's deploy.yml names the default two hosts; other host counts get a copy naming theirs.
  const own = helloHosts()
  const config = own.join() === addresses.join() ? undefined : helloConfigFor(addresses, 'demo')
  const options = { cwd: helloDir, env: helloEnv(testbed), ...(config ? { config } : {}) }

  const repository = helloRepository()
  const at = new Date()
  const [v1, v2] = [freshVersion('v1', at), freshVersion('v2', at)]
  say(`cutover demo: examples/hello (service hello) on ${names}, through the bundled CLI`)
  say(`   config: ${config ? relative(process.cwd(), config) : 'examples/hello/config/deploy.yml'}; registry password from KAMAL_REGISTRY_PASSWORD`)
  let started = performance.now()
  const refs = [await buildAndPush(testbed, repository, v1), await buildAndPush(testbed, repository, v2)]
  say(`   built and pushed ${repository}:{${v1},${v2}} in ${secs(performance.now() - started)}`)
  say(`   each deploy runs, in ${relative(process.cwd(), helloDir) || '.'}:`)
  say(`   cutover deploy --skip-build --version V ${config ? `-c ${relative(helloDir, config)} ` : ''}${sshFlags(testbed).join(' ')} --json`)
  say()

  try {
    await deployStep(testbed, 1, `deploy ${v1} to every host`, v1, ['booted', 'replaced'], options)
    const afterV1 = await versionsNow(testbed)
    expect(afterV1.every((v) => v === v1), `after deploying ${v1}, GET /version answered ${afterV1.join(', ')}`)
    await deployStep(testbed, 2, `deploy ${v1} again: nothing to do`, v1, ['unchanged'], options)

    // v2 under load: requests already flow (and v1 answers on every host) when the deploy starts;
    // they go on until every host has answered 50 more times after it, at least 400 in all.
    const loop = new RequestLoop(testbed.hosts.map((h) => ({ name: h.name, url: h.httpUrl })), {
      path: '/version', workersPerHost: 2, maxRequests: 5_000, maxMs: 120_000, requestTimeoutMs: 5_000,
      accept: (body) => body === v1 || body === v2,
    })
    expect(await loop.waitFor(v1, 10), `before deploying ${v2}, not every host answered ${v1}`)
    started = performance.now()
    const deploying = deployStep(testbed, 3, `deploy ${v2} while requests hit every host's kamal-proxy`, v2, ['replaced'], options)
    await deploying.catch(() => undefined)
    const answers = await loop.finish(50, 400)
    await deploying
    const failed = answers.filter((a) => !a.ok)
    const afterV2 = await versionsNow(testbed)
    say(`requests sent: ${answers.length} (GET /version on ${testbed.hosts.map((h) => h.httpUrl.replace('http://', '')).join(', ')}, over ${secs(performance.now() - started)})`)
    say(`requests failed: ${failed.length}${failed.length ? ` (first: ${failed[0]!.host} ${failed[0]!.detail})` : ''}`)
    say(`versions seen, in the order requests were sent:`)
    for (const h of testbed.hosts) {
      say(`   ${h.name}  ${runsOf(answers.filter((a) => a.host === h.name)).map((r) => `${r.detail} ×${r.count}`).join(' → ')}`)
    }
    expect(failed.length === 0, `${failed.length} requests failed while ${v2} was deployed`)
    expect(afterV2.every((v) => v === v2), `after deploying ${v2}, GET /version answered ${afterV2.join(', ')}`)
    for (const h of testbed.hosts) {
      const mine = runsOf(answers.filter((a) => a.host === h.name))
      expect(mine[0]?.detail === v1 && mine[mine.length - 1]?.detail === v2, `${h.name}: expected ${v1} answers first and ${v2} last`)
    }
  } finally {
    await removeLocalTags(refs)
  }
  say()
  if (problems.length) {
    say(`demo FAILED:\n${problems.map((p) => `   - ${p}`).join('\n')}`)
    process.exitCode = 1
  } else {
    say(`demo ok: v1 booted or replaced, v1 again unchanged, v2 replaced with zero failed requests`)
  }
}

demo().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
