import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeployResult } from '../../../src/engine/result.js'
import { expectMaskedBeforeUse } from '../../support/action/leaks.js'
import { errorCommands } from '../../support/action/log-lines.js'
import { DATABASE_URL, greenCi, MERGE_SHA, pullRequestEvent, SSH_KEY, startJob, type Job } from '../../support/action/scenario.js'

let job: Job
beforeEach(async () => {
  job = await startJob()
})
afterEach(async () => {
  await job.close()
})

const HEAD_2B = 'b'.repeat(40)
const HEAD_3 = 'c'.repeat(40)
const comments = (pr: number) => job.repo.comments.get(pr) ?? []
const environments = () => job.repo.deploymentRequests.map((r) => r.environment)

async function preview(action: string, o: { number?: number; headSha?: string } = {}) {
  const payload = pullRequestEvent(action, o)
  greenCi(job.repo, payload.pull_request.head.sha)
  return job.step({ event: 'pull_request', payload, sha: MERGE_SHA, inputs: { command: action === 'closed' ? 'preview-remove' : 'preview-deploy' } })
}

describe('PR previews', () => {
  it('deploys the PR head (never the merge commit) as pr-<N>, with a transient Deployment and one sticky comment', async () => {
    const opened = pullRequestEvent('opened')
    const head = opened.pull_request.head.sha
    const run = await preview('opened')

    expect(run.exitCode).toBe(0)
    expect(head).not.toBe(MERGE_SHA)
    expect(run.outputs.version).toBe(head)
    expect(run.outputs.url).toBe(`https://pr-${opened.number}.preview.example.test`)
    expect(Object.keys(job.world().services)).toEqual([`shop-pr-${opened.number}`])
    expect(job.repo.deploymentRequests[0]).toMatchObject({ ref: head, environment: `pr-${opened.number}`, transient_environment: true, production_environment: false })
    expect(comments(opened.number)).toHaveLength(1)
    expect(comments(opened.number)[0]!.body).toContain(`https://pr-${opened.number}.preview.example.test`)
    expect(comments(opened.number)[0]!.body).toContain(head.slice(0, 12))
    // The gate waited on the head commit's checks.
    expect(job.s.api.exchanges.some((e) => e.path.includes(`/commits/${head}/check-runs`))).toBe(true)
    expect(job.s.api.exchanges.some((e) => e.path.includes(MERGE_SHA))).toBe(false)
  })

  it('synchronize updates the same comment instead of adding one', async () => {
    const first = await preview('opened')
    const pr = pullRequestEvent('opened').number
    const firstBody = comments(pr)[0]!.body
    const sync = await preview('synchronize', { headSha: HEAD_2B })
    expect([first.exitCode, sync.exitCode]).toEqual([0, 0])
    expect(sync.outputs.version).toBe(HEAD_2B)
    expect(comments(pr)).toHaveLength(1)
    expect(comments(pr)[0]!.body).not.toBe(firstBody)
    expect(comments(pr)[0]!.body).toContain(HEAD_2B.slice(0, 12))
    expect(job.world().services[`shop-pr-${pr}`]!.running).toBe(HEAD_2B)
  })

  it('two previews run side by side on their own hosts; closing one removes it and leaves the other serving', async () => {
    const pr2 = pullRequestEvent('opened').number
    const pr3 = pr2 + 1
    const a = await preview('opened')
    const b = await preview('opened', { number: pr3, headSha: HEAD_3 })
    expect([a.outputs.url, b.outputs.url]).toEqual([`https://pr-${pr2}.preview.example.test`, `https://pr-${pr3}.preview.example.test`])
    expect(Object.keys(job.world().services).sort()).toEqual([`shop-pr-${pr2}`, `shop-pr-${pr3}`])
    expect(environments()).toEqual([`pr-${pr2}`, `pr-${pr3}`])

    const closed = await preview('closed')
    expect(closed.exitCode).toBe(0)
    expect((JSON.parse(closed.outputs.result!) as DeployResult).hosts.map((h) => h.action)).toEqual(['removed', 'removed'])
    expect(Object.keys(job.world().services)).toEqual([`shop-pr-${pr3}`])
    // pr-2's deployments are inactive; pr-3's are untouched.
    const last = (id: number) => job.repo.deploymentStatuses.get(id)!.at(-1)!.state
    const [d2, d3] = job.repo.deployments
    expect([last(d2!.id), last(d3!.id)]).toEqual(['inactive', 'success'])
    expect(comments(pr2)).toHaveLength(1)
    expect(comments(pr2)[0]!.body).toContain('removed')
    expect(comments(pr3)[0]!.body).toContain(`https://pr-${pr3}.preview.example.test`)
  })

  it('preview-remove succeeds when the preview is already gone', async () => {
    const run = await preview('closed')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.changed).toBe('false')
    expect(errorCommands(run.lines)).toEqual([])
  })

  it('refuses a pull_request from a fork with one error that explains the safe patterns; nothing is deployed or recorded', async () => {
    const payload = pullRequestEvent('opened', { fork: 'mallory/Hello-World' })
    const engine = job.engine({ calls: [] })
    const run = await job.step({ event: 'pull_request', payload, sha: MERGE_SHA, inputs: { command: 'preview-deploy' }, engine })
    expect(run.exitCode).toBe(1)
    const errors = errorCommands(run.lines)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toContain('comes from a fork')
    expect(errors[0]!.message).toContain('pull_request_target')
    expect(errors[0]!.message).toContain('workflow_run')
    expect(run.lines.some((l) => /^\s+at /.test(l))).toBe(false)
    expect((engine as unknown as { o: { calls: unknown[] } }).o.calls).toEqual([])
    expect(job.repo.deploymentRequests).toEqual([])
  })

  it('pull_request_target from a fork is the deliberate path: it deploys the head', async () => {
    const payload = pullRequestEvent('opened', { fork: 'contributor/Hello-World' })
    greenCi(job.repo, payload.pull_request.head.sha)
    const run = await job.step({ event: 'pull_request_target', payload, sha: 'd'.repeat(40), inputs: { command: 'preview-deploy' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.version).toBe(payload.pull_request.head.sha)
  })

  it('preview-deploy on a closed PR says to use preview-remove', async () => {
    const run = await job.step({ event: 'pull_request', payload: pullRequestEvent('closed'), sha: MERGE_SHA, inputs: { command: 'preview-deploy' } })
    expect(run.exitCode).toBe(1)
    expect(errorCommands(run.lines)[0]!.message).toContain('use `command: preview-remove`')
  })

  it('masks every secret before the preview uses it', async () => {
    const run = await preview('opened')
    expectMaskedBeforeUse(job.journal, run.files, [SSH_KEY, DATABASE_URL])
  })
})
