/**
 * The deploy lock across the Action's two steps, with the bundled action on the testbed: a main
 * step SIGKILLed mid-deploy (CUTOVER_PAUSE_AT=after-start stops the engine right after it starts
 * the new container, holding the lock) whose post step then releases the lock; and locks held
 * by another run, which a post step leaves alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as lockCommands from '../../src/argv/lock.js'
import { lockDirectory } from '../../src/argv/names.js'
import type { DeployResult } from '../../src/engine/result.js'
import { errorCommands } from '../support/action/log-lines.js'
import { appRepo, greenCi, job, pushEvent, show, startGitHub, type AppRepo, type Job, type StepResult } from './action-harness.js'
import { cli, removeAuditLogs, versions } from './action-testbed.js'
import { expectNoLeaks } from './action-leaks.js'
import { HostReader, type Container } from './support/hosts.js'
import { knownHostsText, pool, testbed } from './testbed.js'

let app: AppRepo
let gh: Awaited<ReturnType<typeof startGitHub>>
let j: Job
const reader = new HostReader()
/** The hosts examples/hello's config deploys to. */
const appHosts = testbed.hosts.slice(0, 2)

beforeAll(async () => {
  app = appRepo('lck')
  gh = await startGitHub()
  j = job(app, gh.api.url)
})

afterAll(async () => {
  if (app) {
    await cli(app, ['lock', 'release'])
    const removed = await cli(app, ['remove', '--confirm'])
    if (removed.code !== 0) console.warn(`cleanup: cutover remove failed:\n${removed.stderr}`)
  }
  j?.remove()
  if (app) await removeAuditLogs(app.service)
  app?.remove()
  await gh?.api.close()
  await reader.close()
})

/** The lock as `cutover lock status --json` reports it. */
async function lockStatus(): Promise<{ held: boolean; details?: { run?: string } | null; text?: string }> {
  const r = await cli(app, ['lock', 'status', '--json'])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as { held: boolean; details?: { run?: string } | null }
}

/** Takes the app's deploy lock on the primary host as another CI run would. */
async function takeLockAs(run: string): Promise<void> {
  const p = pool()
  try {
    const h = testbed.hosts[0]!
    const host = await p.host(`${h.address}:${h.sshPort}`, h.name)
    const details = { lockedBy: 'someone-else (GitHub Actions)', at: new Date().toISOString(), version: 'other', message: 'another deploy', run }
    const r = await host.exec(lockCommands.acquire(lockDirectory({ service: app.service, destination: null }), details))
    expect(r.code, r.stderr).toBe(0)
  } finally {
    await p.closeAll()
  }
}

/** The app's containers on each of its two hosts (any state), oldest first, as the hosts show them. */
async function appContainers(): Promise<Container[][]> {
  return Promise.all(appHosts.map((h) => reader.containers(h, app.service)))
}

/**
 * Starts a push deploy of HEAD paused after starting the new container, waits until every host
 * runs a container of the version being deployed (hosts deploy in parallel, and the Action's log
 * streams one host's group at a time, so only the first host's pause line can be awaited), and
 * SIGKILLs it there. Returns the dead main step.
 */
async function killedMidDeploy(): Promise<StepResult> {
  const sha = app.head()
  greenCi(gh.repo, sha)
  const step = j.start({ event: 'push', payload: pushEvent(sha), sha, env: { CUTOVER_PAUSE_AT: 'after-start' } })
  try {
    await step.waitFor(/cutover: paused at after-start/, 120_000)
    const started = () => appContainers().then((all) => all.every((cs) => cs.some((c) => c.version === sha && c.state === 'running')))
    // Bounded: 120 looks, 0.5 s apart.
    for (let i = 0; i < 120 && !(await started()); i++) await new Promise((r) => setTimeout(r, 500))
    expect(await started(), 'every host started its new container before the kill').toBe(true)
  } catch (e) {
    step.child.kill('SIGKILL')
    throw e
  }
  step.child.kill('SIGKILL')
  const main = await step.done
  expect(main.signal).toBe('SIGKILL')
  return main
}

describe('the deploy lock across main and post steps', () => {
  it('a main step killed mid-deploy leaves its lock; the post step releases it; the next run finishes the deploy', async () => {
    const main = await killedMidDeploy()
    expect(main.state.lock).toBe('maybe-held')
    const runId = main.state['run-id']!
    expect(runId).toMatch(/^\d+-1-[0-9a-f]{8}$/)
    const held = await lockStatus()
    expect(held.held).toBe(true)
    expect(held.details?.run).toBe(runId)

    const post = await j.post(main, { event: 'push', payload: pushEvent(app.head()), sha: app.head() })
    expect(post.code, show(post)).toBe(0)
    expect(post.stdout.join('\n')).toContain('cutover: released the deploy lock this run held')
    expect((await lockStatus()).held).toBe(false)

    // Killed after starting the new container, before the switch: the next run finishes the job.
    const sha = app.head()
    const left = await appContainers()
    for (const cs of left) expect(cs.map((c) => [c.version, c.state]), 'what the dead run left on a host').toEqual([[sha, 'running']])
    const next = await j.run({ event: 'push', payload: pushEvent(sha), sha })
    expect(next.code, show(next)).toBe(0)
    // The new container the dead run started is there; the route to it is what was missing. So
    // the next run reuses it (same id, none created; whether that counts as booted or replaced is
    // the engine's call: no version served before, but a container of the app was there).
    for (const h of (JSON.parse(next.outputs.result!) as DeployResult).hosts) expect(['booted', 'replaced']).toContain(h.action)
    expect((await appContainers()).map((cs) => cs.map((c) => [c.id, c.state]))).toEqual(left.map((cs) => cs.map((c) => [c.id, 'running'])))
    expect(await versions(app.host)).toEqual([sha, sha])
    expect((await lockStatus()).held).toBe(false)
  })

  it('a cancelled main step (SIGINT, as the runner sends) releases its own lock, reports, and exits by itself', async () => {
    const sha = app.commit('cancelled', { 'message.txt': 'cancelled\n' })
    greenCi(gh.repo, sha)
    const step = j.start({ event: 'push', payload: pushEvent(sha), sha, env: { CUTOVER_PAUSE_AT: 'after-start' } })
    await step.waitFor(/cutover: paused at after-start/, 120_000)
    step.child.kill('SIGINT')
    // The runner sends SIGTERM 7.5 s after SIGINT: the step must be gone by then on its own.
    const timer = setTimeout(() => step.child.kill('SIGTERM'), 7_500)
    const main = await step.done
    clearTimeout(timer)
    expect(main.signal, show(main)).toBeNull()
    expect(main.code).toBe(1)
    expect(main.stdout).toContain('cutover: received SIGINT; stopping')
    expect(errorCommands(main.stdout).map((e) => e.message)).toEqual([expect.stringContaining('cancelled')])
    expect(main.state.lock).toBe('free')
    expect((await lockStatus()).held).toBe(false)
    // A cancelled main leaves the report to its post step (which a SIGKILL cannot stop).
    const states = () => gh.repo.deploymentStatuses.get(gh.repo.deployments.at(-1)!.id)!.map((s) => s.state)
    expect(states()).toEqual(['in_progress'])

    // Its post step settles the Deployment (the run had gone for the hosts: failure) and writes the
    // cancelled summary; the lock is already free. The next run finishes the deploy the cancelled one started.
    const post = await j.post(main, { event: 'push', payload: pushEvent(sha), sha })
    expect(post.code, show(post)).toBe(0)
    expect(states()).toEqual(['in_progress', 'failure'])
    expect(post.summary).toContain(': cancelled')
    const next = await j.run({ event: 'push', payload: pushEvent(sha), sha })
    expect(next.code, show(next)).toBe(0)
    expect(await versions(app.host)).toEqual([sha, sha])
  })

  it('a post step leaves alone a lock another run took after this one was killed', async () => {
    app.commit('second', { 'message.txt': 'second\n' })
    const main = await killedMidDeploy()
    expect(main.state.lock).toBe('maybe-held')
    // Someone released the dead run's lock by hand, and another run took it.
    const release = await cli(app, ['lock', 'release'])
    expect(release.code, release.stderr).toBe(0)
    await takeLockAs('9999-1-0123abcd')

    const post = await j.post(main, { event: 'push', payload: pushEvent(app.head()), sha: app.head() })
    expect(post.code, show(post)).toBe(0)
    expect(post.stdout.join('\n')).toContain('cutover: the deploy lock belongs to someone else; left it alone')
    const after = await lockStatus()
    expect(after.held).toBe(true)
    expect(after.details?.run).toBe('9999-1-0123abcd')

    // A post step that cannot read the lock (here: vm1's host key is not the one known) fails
    // saying how to release the lock by hand; it never guesses that nothing is held.
    const wrongKeys = knownHostsText.split('\n').filter((l) => l.startsWith('10.213.77.12 ')).map((l) => l.replace(/^10\.213\.77\.12 /, '10.213.77.11 ')).join('\n')
    const blind = await j.post(main, { event: 'push', payload: pushEvent(app.head()), sha: app.head(), inputs: { 'known-hosts': wrongKeys } })
    expect(blind.code, show(blind)).toBe(1)
    const [error] = errorCommands(blind.stdout)
    expect(error?.message).toContain('could not check or release the deploy lock this run may hold')
    expect(error?.message).toContain('cutover lock release -c config/deploy.yml')
    expect((await lockStatus()).details?.run).toBe('9999-1-0123abcd')
  })

  it('a main step that finds the lock held fails saying who holds it, and its post step leaves that lock alone', async () => {
    const sha = app.head()
    const main = await j.run({ event: 'push', payload: pushEvent(sha), sha })
    expect(main.code, show(main)).toBe(1)
    const errors = errorCommands(main.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toContain('is held')
    expect(errors[0]!.message).toContain('run 9999-1-0123abcd')
    expect(gh.repo.deploymentStatuses.get(gh.repo.deployments.at(-1)!.id)!.map((s) => s.state)).toEqual(['in_progress', 'failure'])

    const post = await j.post(main, { event: 'push', payload: pushEvent(sha), sha })
    expect(post.code, show(post)).toBe(0)
    expect((await lockStatus()).details?.run).toBe('9999-1-0123abcd')
  })

  it('no secret reached any log line, output, summary, state file or GitHub record', () => {
    const sent = JSON.stringify([gh.repo.deploymentRequests, [...gh.repo.deploymentStatuses.values()], [...gh.repo.comments.values()]])
    expectNoLeaks(j.steps, sent)
  })
})
