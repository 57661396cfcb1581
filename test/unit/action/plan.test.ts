import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { planChanges, renderPlan } from '../../../src/action/plan-render.js'
import { errorCommands } from '../../support/action/log-lines.js'
import { MERGE_SHA, pullRequestEvent, pushEvent, startJob, type Job } from '../../support/action/scenario.js'

let job: Job
beforeEach(async () => {
  job = await startJob()
})
afterEach(async () => {
  await job.close()
})

const comments = (pr: number) => job.repo.comments.get(pr) ?? []
const plan = (action: string, o: { headSha?: string } = {}) => {
  const payload = pullRequestEvent(action, o)
  return { payload, run: job.step({ event: 'pull_request', payload, sha: MERGE_SHA, inputs: { command: 'plan' } }) }
}

describe('command: plan on pull requests', () => {
  it('plans the PR head against what production serves, in one sticky comment updated on each push; no Deployment, nothing changed', async () => {
    const { saveWorld } = await import('../../support/action/fake-engine.js')
    saveWorld(job.worldFile, { ...job.world(), services: { shop: { running: 'v1', retained: ['v1'] } } })
    const before = JSON.stringify(job.world())
    const opened = plan('opened')
    const run = await opened.run
    const pr = opened.payload.number
    const head = opened.payload.pull_request.head.sha
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ version: head, changed: 'true' })
    expect(comments(pr)).toHaveLength(1)
    const body = comments(pr)[0]!.body
    expect(body).toContain('<!-- cutover-plan config/deploy.yml -->')
    expect(body).toContain(`deploying #${pr} (\`${head.slice(0, 12)}\`) to \`production\` would change 2 roles`)
    expect(body).toContain(`| vm1 | web | **replaced** | \`image registry.example.test/acme/shop:v1 → to be built from ${head}\` |`)
    expect(run.summary).toContain('📋 cutover plan')
    // Read-only: the world (hosts, registry, lock) is as it was; no Deployment; the merge commit never planned.
    expect(JSON.stringify(job.world())).toBe(before)
    expect(job.repo.deploymentRequests).toEqual([])
    expect(job.s.api.exchanges.some((e) => e.path.includes(MERGE_SHA))).toBe(false)

    const sync = await plan('synchronize', { headSha: 'b'.repeat(40) }).run
    expect(sync.exitCode).toBe(0)
    expect(comments(pr)).toHaveLength(1)
    expect(comments(pr)[0]!.body).toContain('bbbbbbbbbbbb')
  })

  it('a plan comment sits beside the preview comment (its own marker) and never replaces it', async () => {
    const payload = pullRequestEvent('opened')
    await job.step({ event: 'pull_request', payload, sha: MERGE_SHA, inputs: { command: 'preview-deploy', 'wait-for-checks': 'false' } })
    await plan('opened').run
    const bodies = comments(payload.number).map((c) => c.body)
    expect(bodies).toHaveLength(2)
    expect(bodies.filter((b) => b.includes('cutover-preview'))).toHaveLength(1)
    expect(bodies.filter((b) => b.includes('cutover-plan'))).toHaveLength(1)
  })

  it('needs a pull request: on push it is an input error with a summary, and nothing is planned', async () => {
    const push = pushEvent()
    const run = await job.step({ event: 'push', payload: push, sha: push.after, inputs: { command: 'plan' } })
    expect(run.exitCode).toBe(1)
    expect(errorCommands(run.lines).map((e) => e.message)).toEqual([expect.stringContaining('plan needs a pull request number')])
    expect(run.summary).toContain('cutover did not start')
  })
})

describe('renderPlan', () => {
  const base = { pr: 5, sha: 'a'.repeat(40), environment: 'production' }
  it('roles added, replaced (with their change lines), unchanged and removed; a host that cannot be planned', () => {
    const p = {
      version: 'v2',
      service: 'app',
      hosts: [
        { host: 'h1', roles: [{ role: 'web', outcome: 'replaced', container: 'c', steps: [], notes: [], changes: ['env.clear.POOL: 5 → 10', 'secret DATABASE_URL changed'] }, { role: 'jobs', outcome: 'booted', container: 'c', steps: [], notes: [], changes: ['new: image r:v2'] }], removedRoles: ['cron'] },
        { host: 'h2', roles: [{ role: 'web', outcome: 'unchanged', container: 'c', steps: [], notes: [], changes: [] }] },
        { host: 'h|3', roles: [], error: 'connect ECONNREFUSED' },
      ],
    }
    const md = renderPlan(base, p)
    expect(planChanges(p)).toBe(3)
    expect(md).toContain('would change 3 roles on the hosts')
    expect(md).toContain('| h1 | web | **replaced** | `env.clear.POOL: 5 → 10`<br>`secret DATABASE_URL changed` |')
    expect(md).toContain('| h1 | jobs | **role added** | `new: image r:v2` |')
    expect(md).toContain('| h1 | cron | role removed |')
    expect(md).toContain('| h2 | web | nothing | — |')
    expect(md).toContain('| h\\|3 | | **cannot plan** | connect ECONNREFUSED |')
  })

  it('a failed plan says so with the reason', () => {
    expect(renderPlan(base, undefined, 'config error')).toContain('### ❌ cutover plan for #5 failed')
  })
})
