/**
 * The bundled Action (dist/action/index.js) as a workflow runs it, against the real engine and
 * the testbed: a push deploy, an unchanged redeploy, a scheduled redeploy of the same commit,
 * a second version, and a rollback under continuous requests. Each `it` builds on the one
 * before (one app, one job), as the steps of a repository's life would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeployResult } from '../../src/engine/result.js'
import { errorCommands, logGroups } from '../support/action/log-lines.js'
import { appRepo, greenCi, job, pushEvent, REPOSITORY, RUN_ID, show, startGitHub, type AppRepo, type Job, type StepResult } from './action-harness.js'
import { cli, removeAuditLogs, versions, viaProxy } from './action-testbed.js'
import { envFileTimes, expectMaskedBeforeUse, expectNoLeaks, registryUse, tokenUse } from './action-leaks.js'
import { testbed } from './testbed.js'

let app: AppRepo
let gh: Awaited<ReturnType<typeof startGitHub>>
let j: Job
const LOG_URL = `https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}`

beforeAll(async () => {
  app = appRepo('act')
  gh = await startGitHub()
  j = job(app, gh.api.url)
})

afterAll(async () => {
  if (app) {
    const removed = await cli(app, ['remove', '--confirm'])
    if (removed.code !== 0) console.warn(`cleanup: cutover remove failed:\n${removed.stderr}`)
  }
  j?.remove()
  if (app) await removeAuditLogs(app.service)
  app?.remove()
  await gh?.api.close()
})

const hostsOf = (run: StepResult) => (JSON.parse(run.outputs.result!) as DeployResult).hosts.map((h) => [h.host, h.action])
const statesOf = (i: number) => gh.repo.deploymentStatuses.get(gh.repo.deployments[i]!.id)!.map((s) => s.state)
const image = () => `${testbed.registry.server}/${app.image}`

let first = ''
let second = ''

describe('the bundled action on a push, a redeploy, a schedule and a rollback', () => {
  it('deploys a push: gate, build and deploy; outputs; a Deployment in_progress → success', async () => {
    first = app.head()
    greenCi(gh.repo, first)
    const since = Date.now()
    const run = await j.run({ event: 'push', payload: pushEvent(first), sha: first })

    expect(run.code, show(run)).toBe(0)
    expect(run.outputs.version).toBe(first)
    expect(run.outputs.image).toBe(`${image()}:${first}`)
    expect(run.outputs.changed).toBe('true')
    expect(run.outputs.url).toBe(`http://${app.host}`)
    expect(hostsOf(run)).toEqual([['10.213.77.11', 'booted'], ['10.213.77.12', 'booted']])
    expect(await versions(app.host)).toEqual([first, first])

    // One group per phase; every line of a host's group names the host; the lock is taken between groups.
    const groups = logGroups(run.stdout)
    expect(groups.map((g) => g.name)).toEqual(['gate', 'build', 'host 10.213.77.11', 'host 10.213.77.12'])
    expect(groups[0]!.lines.join('\n')).toContain(`gate: CI is green on ${first.slice(0, 12)}: test`)
    expect(groups[1]!.lines.join('\n')).toContain('is not in the registry yet; building it')
    for (const g of groups.slice(2)) {
      const host = g.name.slice('host '.length)
      const lines = g.lines.filter((l) => !l.startsWith('::'))
      expect(lines.length, `lines in the group of ${host}`).toBeGreaterThan(0)
      for (const l of lines) expect(l, g.lines.join('\n')).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}: web: `))
    }
    expect(run.stdout).toContain('took the deploy lock on 10.213.77.11')
    expect(groups.flatMap((g) => g.lines)).not.toContain('took the deploy lock on 10.213.77.11')
    expect(run.summary).toContain(`**Build:** built: pushed ${image()}:${first} (buildx)`)

    expect(gh.repo.deploymentRequests[0]).toMatchObject({ ref: first, environment: 'production', required_contexts: [], auto_merge: false })
    expect(statesOf(0)).toEqual(['in_progress', 'success'])
    expect(gh.repo.deploymentStatuses.get(gh.repo.deployments[0]!.id)![1]).toMatchObject({ environment_url: `http://${app.host}`, log_url: LOG_URL })

    const appUse = Math.min(...(await envFileTimes(app.service)))
    // Every one of these secrets is used by this step: expectMaskedBeforeUse fails on a use not observed.
    expectMaskedBeforeUse(run, { token: tokenUse(gh.api, since), registry: registryUse(app.image, since), app: appUse, ssh: appUse })
  })

  it('redeploys the same commit: changed=false, every host unchanged, still a successful Deployment', async () => {
    const since = Date.now()
    const run = await j.run({ event: 'push', payload: pushEvent(first), sha: first })
    expect(run.code, show(run)).toBe(0)
    expect(run.outputs.changed).toBe('false')
    expect(hostsOf(run)).toEqual([['10.213.77.11', 'unchanged'], ['10.213.77.12', 'unchanged']])
    expect(statesOf(1)).toEqual(['in_progress', 'success'])
    expect(gh.repo.deploymentStatuses.get(gh.repo.deployments[1]!.id)![1]!.description).toBe('Already up to date')
    expectMaskedBeforeUse(run, { token: tokenUse(gh.api, since), registry: registryUse(app.image, since) })

    // The main step finished and holds no lock: its post step has nothing to do and says nothing.
    expect(run.state).toMatchObject({ lock: 'free', 'main-done': 'true' })
    const post = await j.post(run, { event: 'push', payload: pushEvent(first), sha: first })
    expect(post.code, show(post)).toBe(0)
    expect(post.lines.filter((l) => !l.text.startsWith('::debug::') && !l.text.startsWith('::add-mask::'))).toEqual([])
  })

  it('a scheduled redeploy of that commit is a no-op end to end: gate passes, build skipped, hosts unchanged', async () => {
    const started = Date.now()
    const run = await j.run({ event: 'schedule', payload: { schedule: '17 4 * * *' }, sha: first })
    const tookMs = Date.now() - started
    expect(run.code, show(run)).toBe(0)
    const log = run.stdout.join('\n')
    expect(log).toContain(`gate: CI is green on ${first.slice(0, 12)}`)
    expect(log).toContain(`${image()}:${first} is already in the registry; skipping the build.`)
    expect(log).not.toContain('docker buildx')
    expect(run.outputs.changed).toBe('false')
    expect(hostsOf(run)).toEqual([['10.213.77.11', 'unchanged'], ['10.213.77.12', 'unchanged']])
    expect(run.summary).toContain(`${image()}:${first} was already in the registry`)
    console.info(`scheduled no-op redeploy: ${tookMs} ms for the whole step (process start to exit)`)
  })

  it('deploys a second commit', async () => {
    second = app.commit('second', { 'message.txt': 'second\n' })
    greenCi(gh.repo, second)
    const run = await j.run({ event: 'push', payload: pushEvent(second), sha: second })
    expect(run.code, show(run)).toBe(0)
    expect(hostsOf(run)).toEqual([['10.213.77.11', 'replaced'], ['10.213.77.12', 'replaced']])
    expect(await versions(app.host)).toEqual([second, second])
    expect(run.summary).toContain(first)
  })

  it('rolls back to the first commit under continuous requests with zero failures', async () => {
    const load = continuousRequests(app.host)
    try {
      await load.until(20) // the load is flowing before the rollback starts
      const run = await j.run({ event: 'workflow_dispatch', payload: { inputs: { version: first }, ref: 'refs/heads/main', repository: { full_name: REPOSITORY } }, sha: second, inputs: { command: 'rollback', version: first } })
      expect(run.code, show(run)).toBe(0)
      expect(run.outputs.version).toBe(first)
      expect(run.outputs.changed).toBe('true')
      expect(await versions(app.host)).toEqual([first, first])
      await load.until(load.count() + 20) // and keeps flowing after it
    } finally {
      await load.stop()
    }
    const r = load.report()
    console.info(`rollback under load: ${r.ok} requests answered, versions seen ${JSON.stringify(r.seen)}`)
    expect(r.failures).toEqual([])
    expect(r.seen).toEqual(expect.arrayContaining([first, second]))
    expect(gh.repo.deploymentRequests.at(-1)).toMatchObject({ ref: first, environment: 'production' })
    expect(statesOf(gh.repo.deployments.length - 1)).toEqual(['in_progress', 'success'])
  })

  it('a rollback to a version the registry does not have fails before any host, listing the retained versions', async () => {
    const dispatch = { inputs: { version: 'v0-never-built' }, ref: 'refs/heads/main', repository: { full_name: REPOSITORY } }
    const run = await j.run({ event: 'workflow_dispatch', payload: dispatch, sha: second, inputs: { command: 'rollback', version: 'v0-never-built' } })
    expect(run.code, show(run)).toBe(1)
    const message = errorCommands(run.stdout).map((e) => e.message).join('\n')
    expect(message).toContain(`${image()}:v0-never-built is not in the registry`)
    expect(message).toContain(first)
    expect(message).toContain(second)
    expect(run.summary).toContain(second)
    expect(await versions(app.host)).toEqual([first, first])
  })

  it('a rollback waits for CI only when asked (wait-for-checks: true), on the commit it goes back to; a red check there stops it before any host', async () => {
    const head = app.commit('a later commit', { 'message.txt': 'third\n' })
    // The rollback's own commit is what it deploys, so that is the commit whose CI counts.
    gh.repo.addCheckRun(second, { name: 'lint', status: 'completed', conclusion: 'failure', actions: { runId: 1111, jobId: 7 } })
    const dispatch = { inputs: { version: second }, ref: 'refs/heads/main', repository: { full_name: REPOSITORY } }
    const run = await j.run({ event: 'workflow_dispatch', payload: dispatch, sha: head, inputs: { command: 'rollback', version: second, 'wait-for-checks': 'true' } })
    expect(run.code, show(run)).toBe(1)
    expect(errorCommands(run.stdout).map((e) => e.message).join('\n')).toContain('check "lint" (failure)')
    expect(await versions(app.host)).toEqual([first, first])
  })

  it('no secret reached any log line, output, summary, state file or GitHub record', () => {
    const sent = JSON.stringify([gh.repo.deploymentRequests, [...gh.repo.deploymentStatuses.values()], [...gh.repo.comments.values()]])
    expectNoLeaks(j.steps, sent)
  })
})

/**
 * Requests to both hosts' proxies for `host`, back to back, until stopped: bounded by a count
 * (20 000) and by time (3 minutes), as every loop here is.
 */
function continuousRequests(host: string) {
  let stopped = false
  let ok = 0
  const failures: string[] = []
  const seen = new Set<string>()
  const deadline = Date.now() + 180_000
  const loop = async (vm: number) => {
    for (let i = 0; i < 10_000 && !stopped && Date.now() < deadline; i++) {
      try {
        const r = await viaProxy(vm, host, '/version')
        if (r.status === 200) {
          ok++
          seen.add(r.body.trim())
        } else failures.push(`vm${vm + 1}: HTTP ${r.status} ${r.body.slice(0, 80)}`)
      } catch (e) {
        failures.push(`vm${vm + 1}: ${(e as Error).message}`)
      }
    }
  }
  const running = Promise.all([loop(0), loop(1)])
  return {
    count: () => ok,
    /** Waits (bounded: 400 looks, 25 ms apart) until `n` requests were answered, and fails if they were not. */
    async until(n: number) {
      for (let i = 0; i < 400 && ok < n && !stopped; i++) await new Promise((r) => setTimeout(r, 25))
      expect(ok, `requests answered (failures so far: ${failures.slice(0, 3).join('; ')})`).toBeGreaterThanOrEqual(n)
    },
    async stop() {
      stopped = true
      await running
    },
    report: () => ({ ok, failures, seen: [...seen] }),
  }
}
