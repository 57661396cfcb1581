/**
 * The main and post steps as two processes, the way the runner runs them: the post step gets
 * the state main saved (GITHUB_STATE → STATE_*), and main can be killed mid-deploy.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { saveWorld } from '../../support/action/fake-engine.js'
import { errorCommands } from '../../support/action/log-lines.js'
import { stepFiles } from '../../support/action/runner-files.js'
import { baseInputs, MERGE_SHA, pullRequestEvent, pushEvent, RUN_ID, startJob, type Job } from '../../support/action/scenario.js'
import { buildFakeEntry, runStepProcess, startStep, waitForFile } from '../../support/action/subprocess.js'

let job: Job
// ncc takes ~5 s on an idle machine and over 160 s on a loaded one (measured at load 11 to 30 on 2 cores).
beforeAll(() => void buildFakeEntry(), 300_000)
beforeEach(async () => {
  job = await startJob()
})
afterEach(async () => {
  await job.close()
})

const push = pushEvent()
const github = () => ({
  GITHUB_REPOSITORY: 'Codertocat/Hello-World',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_SHA: push.after,
  GITHUB_RUN_ID: RUN_ID,
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: job.s.api.url,
})
const inputs = () => ({ ...baseInputs(), 'wait-for-checks': 'false' })
let n = 0
const files = (name: string) => {
  const f = stepFiles(job.dir, `${++n}-${name}`)
  writeFileSync(f.event, JSON.stringify(push))
  return f
}
/** Only workflow commands the runner hides by default (debug) or none at all. */
const visible = (stdout: string) => stdout.split('\n').filter((l) => l !== '' && !l.startsWith('::debug::'))

describe('main and post as two processes', () => {
  it('main with no inputs fails with exactly one ::error:: and no stack trace, and a job summary listing the problems', async () => {
    const r = await runStepProcess({ files: files('main'), inputs: {}, github: github(), engine: { worldFile: job.worldFile } })
    expect(r.code).toBe(1)
    expect(r.summary).toContain('### ❌ cutover did not start: the inputs need a fix')
    expect(r.summary).toContain('- Input `known-hosts` is required')
    const errors = errorCommands(r.stdout.split('\n'))
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toContain('Input `known-hosts` is required')
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m)
  })

  it('a post step with nothing to clean up exits 0 and prints nothing visible', async () => {
    const r = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state: { isPost: 'true' }, engine: { worldFile: job.worldFile } })
    expect(r.code).toBe(0)
    expect(visible(r.stdout)).toEqual([])
    expect(r.stderr).toBe('')
  })

  it('after a successful main, the post step does nothing', async () => {
    const main = await runStepProcess({ files: files('main'), inputs: inputs(), github: github(), engine: { worldFile: job.worldFile } })
    expect(main.code).toBe(0)
    expect(main.state).toMatchObject({ isPost: 'true', lock: 'free', 'main-done': 'true' })
    const post = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state: main.state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    expect(visible(post.stdout)).toEqual([])
  })

  it('main killed mid-deploy leaves its lock; the post step releases it because the run line is its own', async () => {
    saveWorld(job.worldFile, { ...job.world(), services: { shop: { running: 'v0', retained: ['v0'] } } })
    const pausedFile = join(job.dir, 'paused')
    const mainFiles = files('main')
    const main = startStep({ files: mainFiles, inputs: inputs(), github: github(), engine: { worldFile: job.worldFile, pauseAfterLock: { pausedFile } } })
    await waitForFile(pausedFile)
    main.child.kill('SIGKILL')
    const killed = await main.done
    expect(killed.signal).toBe('SIGKILL')

    const { readStep } = await import('../../support/action/runner-files.js')
    const state = readStep(mainFiles).state
    expect(state.lock).toBe('maybe-held')
    expect(state['main-done']).toBeUndefined()
    expect(job.world().lock?.run).toBe(state['run-id'])
    expect(state['run-id']).toMatch(new RegExp(`^${RUN_ID}-1-[0-9a-f]{8}$`))

    const post = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    expect(job.world().lock).toBeUndefined()
    expect(post.stdout).toContain('released the deploy lock this run held')
    expect(errorCommands(post.stdout.split('\n'))).toEqual([])
    // Issue 11 item 9: the Deployment main left in_progress is settled, and the summary says what each host serves.
    const d = job.repo.deployments[0]!
    expect(state['deployment-id']).toBe(String(d.id))
    expect(job.repo.deploymentStatuses.get(d.id)!.map((s) => s.state)).toEqual(['in_progress', 'failure'])
    expect(post.summary).toContain('### 🛑 cutover deploy to `production`: cancelled')
    expect(post.summary).toContain('| vm1 | web | `v0` | — |')
    expect(post.summary).toContain('- **Deploy lock:** this run held it; released')
    expect(post.summary).toContain('- **Deployment:** marked `failure`')
  })

  it('a run killed before it went for the hosts: the post step marks its Deployment inactive, touches no lock, and says nothing changed', async () => {
    const pausedFile = join(job.dir, 'paused-early')
    const mainFiles = files('main')
    const main = startStep({ files: mainFiles, inputs: inputs(), github: github(), engine: { worldFile: job.worldFile, pauseAfterLock: { pausedFile } } })
    await waitForFile(pausedFile)
    main.child.kill('SIGKILL')
    await main.done
    const { readStep } = await import('../../support/action/runner-files.js')
    // As if killed a moment earlier, while the gate or the build still ran: no lock was ever asked for.
    const { lock: _lock, 'reached-hosts': reached, ...state } = readStep(mainFiles).state
    expect(reached).toBe('true')
    saveWorld(job.worldFile, { ...job.world(), lock: undefined })
    const post = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    const d = job.repo.deployments[0]!
    expect(job.repo.deploymentStatuses.get(d.id)!.map((s) => s.state)).toEqual(['in_progress', 'inactive'])
    expect(post.summary).toContain('before it touched any host: nothing changed')
    expect(post.summary).not.toContain('Deploy lock')
    expect(errorCommands(post.stdout.split('\n'))).toEqual([])
  })

  it('a preview\'s main killed mid-deploy: the post step releases the preview\'s lock (not production\'s)', async () => {
    const pr = pullRequestEvent('opened', { number: 12 })
    const prFiles = (name: string) => {
      const f = stepFiles(job.dir, `${++n}-${name}`)
      writeFileSync(f.event, JSON.stringify(pr))
      return f
    }
    const env = { ...github(), GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: MERGE_SHA }
    const previewInputs = { ...inputs(), command: 'preview-deploy' }
    const pausedFile = join(job.dir, 'paused-preview')
    const mainFiles = prFiles('main')
    const main = startStep({ files: mainFiles, inputs: previewInputs, github: env, engine: { worldFile: job.worldFile, pauseAfterLock: { pausedFile } } })
    await waitForFile(pausedFile)
    main.child.kill('SIGKILL')
    await main.done
    const { readStep } = await import('../../support/action/runner-files.js')
    const state = readStep(mainFiles).state
    expect(state['pr-number']).toBe('12')
    expect(job.world().lock?.service).toBe('shop-pr-12')

    const post = await runStepProcess({ files: prFiles('post'), inputs: previewInputs, github: env, state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    expect(post.stdout).toContain('released the deploy lock this run held')
    expect(job.world().lock).toBeUndefined()
  })

  it('the post step leaves another run\'s lock alone', async () => {
    // This job died between announcing the lock and taking it; meanwhile another run took it.
    const other = { run: '5151-1-0badc0de', details: 'Locked by: cutover\nrun: 5151-1-0badc0de' }
    saveWorld(job.worldFile, { ...job.world(), lock: other })
    const state = { isPost: 'true', 'run-id': `${RUN_ID}-1-deadbeef`, lock: 'maybe-held' }
    const post = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    expect(job.world().lock).toEqual(other)
    expect(post.stdout).toContain('belongs to someone else; left it alone')
    expect(errorCommands(post.stdout.split('\n'))).toEqual([])
  })

  it('a main that found the lock held fails fast and its post step does not touch the lock', async () => {
    const other = { run: '5151-1-0badc0de', details: 'Locked by: someone else' }
    saveWorld(job.worldFile, { ...job.world(), lock: other })
    const main = await runStepProcess({ files: files('main'), inputs: inputs(), github: github(), engine: { worldFile: job.worldFile } })
    expect(main.code).toBe(1)
    expect(main.state.lock).toBe('free')
    const post = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state: main.state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    expect(visible(post.stdout)).toEqual([])
    expect(job.world().lock).toEqual(other)
  })

  it('a cancelled main (SIGINT, as the runner sends) releases its own lock and says it was cancelled', async () => {
    const pausedFile = join(job.dir, 'paused-int')
    const mainFiles = files('main')
    const main = startStep({ files: mainFiles, inputs: inputs(), github: github(), engine: { worldFile: job.worldFile, pauseAfterLock: { pausedFile } } })
    await waitForFile(pausedFile)
    main.child.kill('SIGINT')
    const r = await main.done
    expect(r.code).toBe(1)
    expect(errorCommands(r.stdout.split('\n')).map((e) => e.message)).toEqual([expect.stringContaining('cutover was cancelled')])
    expect(job.world().lock).toBeUndefined()
    const { readStep } = await import('../../support/action/runner-files.js')
    const state = readStep(mainFiles).state
    expect(state.lock).toBe('free')
    // Main leaves the reporting to the post step, which runs after a cancel: one Deployment status, one summary.
    expect(state['main-done']).toBeUndefined()
    expect(readStep(mainFiles).summary).toBe('')
    const post = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    const d = job.repo.deployments[0]!
    expect(job.repo.deploymentStatuses.get(d.id)!.map((s) => s.state)).toEqual(['in_progress', 'failure'])
    expect(post.summary).toContain(': cancelled')
    expect(post.summary).not.toContain('Deploy lock')
  })

  it('a cancelled main exits once it has reported, though engine work lingers in the background (the real engine cannot stop mid-step)', async () => {
    const pausedFile = join(job.dir, 'paused-linger')
    const main = startStep({ files: files('main'), inputs: inputs(), github: github(), engine: { worldFile: job.worldFile, pauseAfterLock: { pausedFile, lingerAfterAbort: true } } })
    await waitForFile(pausedFile)
    main.child.kill('SIGINT')
    // No SIGTERM: without an exit of its own, the lingering work would keep it alive for 120 s (past this test's timeout).
    const r = await main.done
    expect(r.code).toBe(1)
    expect(errorCommands(r.stdout.split('\n')).map((e) => e.message)).toEqual([expect.stringContaining('cutover was cancelled')])
    expect(job.world().lock).toBeUndefined()
  })

  it('a main stuck after SIGINT exits on the runner\'s SIGTERM; the post step then releases its lock', async () => {
    const pausedFile = join(job.dir, 'paused-stuck')
    const mainFiles = files('main')
    const main = startStep({ files: mainFiles, inputs: inputs(), github: github(), engine: { worldFile: job.worldFile, pauseAfterLock: { pausedFile, ignoreAbort: true } } })
    await waitForFile(pausedFile)
    main.child.kill('SIGINT')
    await waitForLine(main, 'received SIGINT; stopping')
    main.child.kill('SIGTERM')
    const r = await main.done
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('received SIGTERM again; exiting')
    const { readStep } = await import('../../support/action/runner-files.js')
    const state = readStep(mainFiles).state
    expect(state.lock).toBe('maybe-held')
    expect(job.world().lock?.run).toBe(state['run-id'])
    const post = await runStepProcess({ files: files('post'), inputs: inputs(), github: github(), state, engine: { worldFile: job.worldFile } })
    expect(post.code).toBe(0)
    expect(job.world().lock).toBeUndefined()
  })
})

/** Waits (bounded) until the step has printed `text`. */
async function waitForLine(step: ReturnType<typeof startStep>, text: string): Promise<void> {
  let out = ''
  step.child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')))
  for (let waited = 0; !out.includes(text); waited += 50) {
    if (waited >= 10_000) throw new Error(`the step did not print "${text}" within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
