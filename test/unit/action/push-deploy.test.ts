import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeployResult } from '../../../src/engine/result.js'
import { expectMaskedBeforeUse } from '../../support/action/leaks.js'
import { errorCommands, logGroups } from '../../support/action/log-lines.js'
import { DATABASE_URL, greenCi, pushEvent, REGISTRY_PASSWORD, RUN_ID, SSH_KEY, startJob, TLS_KEY, TOKEN, type Job } from '../../support/action/scenario.js'

let job: Job
beforeEach(async () => {
  job = await startJob()
})
afterEach(async () => {
  await job.close()
})

// The Action's own inputs only: values derived inside the engine (env-file lines, registry auth)
// are masked by the real adapter's maskDerived, tested in engine-adapter.test.ts; here the fake
// engine would mask them itself, so listing them would test the fake.
const SECRETS = [SSH_KEY, REGISTRY_PASSWORD, TOKEN, DATABASE_URL, TLS_KEY]
const LOG_URL = `https://github.com/Codertocat/Hello-World/actions/runs/${RUN_ID}`

describe('push deploy', () => {
  it('deploys GITHUB_SHA: outputs, summary, a Deployment in_progress then success, one log group per phase', async () => {
    const push = pushEvent()
    greenCi(job.repo, push.after)
    const run = await job.step({ event: 'push', payload: push, sha: push.after })

    expect(run.exitCode).toBe(0)
    expect(errorCommands(run.lines)).toEqual([])
    expect(run.outputs.version).toBe(push.after)
    expect(run.outputs.image).toBe(`registry.example.test/acme/shop:${push.after}`)
    expect(run.outputs.changed).toBe('true')
    expect(run.outputs.url).toBe('https://shop.example.test')
    const result = JSON.parse(run.outputs.result!) as DeployResult
    expect(result.hosts.map((h) => [h.host, h.action])).toEqual([['vm1', 'booted'], ['vm2', 'booted']])

    expect(run.summary).toContain('| vm1 | web | booted | — | `shop-web-')
    expect(run.summary).toContain('| vm2 | web | booted | — |')
    // Durations of the gate and the build, the whole run, and links to the commit, the run and the Deployments.
    expect(run.summary).toMatch(/\*\*Durations:\*\* gate \d[^·]* · build \d[^·]* · whole run \d/)
    expect(run.summary).toContain(`[commit \`${push.after.slice(0, 12)}\`](https://github.com/Codertocat/Hello-World/commit/${push.after})`)
    expect(run.summary).toContain('[run log](https://github.com/Codertocat/Hello-World/actions/runs/4242)')
    expect(run.summary).toContain('[Deployments](https://github.com/Codertocat/Hello-World/deployments/production)')
    expect(run.summary).toContain('**URL:** https://shop.example.test')
    expect(run.summary).toContain('Versions retained for rollback')

    const [req] = job.repo.deploymentRequests
    expect(req).toMatchObject({ ref: push.after, environment: 'production', required_contexts: [], auto_merge: false, production_environment: true, transient_environment: false })
    const d = job.repo.deployments[0]!
    const statuses = job.repo.deploymentStatuses.get(d.id)!
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success'])
    expect(statuses[1]).toMatchObject({ environment_url: 'https://shop.example.test', log_url: LOG_URL })

    const groups = logGroups(run.lines)
    expect(groups.map((g) => g.name)).toEqual(['gate', 'build', 'host vm1', 'host vm2'])
    for (const g of groups.filter((x) => x.name.startsWith('host '))) {
      const host = g.name.slice(5)
      expect(g.lines.length).toBeGreaterThan(0)
      for (const line of g.lines.filter((l) => !l.startsWith('::'))) expect(line.startsWith(`${host}: `)).toBe(true)
    }
    expectMaskedBeforeUse(job.journal, run.files, SECRETS)
  })

  it('redeploying the same commit is a no-op: changed=false, every host unchanged, still a successful Deployment', async () => {
    const push = pushEvent()
    greenCi(job.repo, push.after)
    await job.step({ event: 'push', payload: push, sha: push.after })
    const again = await job.step({ event: 'push', payload: push, sha: push.after })

    expect(again.exitCode).toBe(0)
    expect(again.outputs.changed).toBe('false')
    expect((JSON.parse(again.outputs.result!) as DeployResult).hosts.map((h) => h.action)).toEqual(['unchanged', 'unchanged'])
    expect(again.summary).toContain('nothing to change')
    expect(again.summary).toContain('skipped: registry.example.test/acme/shop:')
    expect(job.repo.deployments).toHaveLength(2)
    const last = job.repo.deploymentStatuses.get(job.repo.deployments[1]!.id)!
    expect(last.map((s) => [s.state, s.description])).toEqual([['in_progress', 'Deploying'], ['success', 'Already up to date']])
    expectMaskedBeforeUse(job.journal, again.files, SECRETS)
  })

  it('wait-for-checks: false with no github-token deploys, records nothing on GitHub and says so once', async () => {
    const push = pushEvent()
    const run = await job.step({ event: 'push', payload: push, sha: push.after, inputs: { 'github-token': '', 'wait-for-checks': 'false' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.changed).toBe('true')
    expect(job.s.api.exchanges).toEqual([])
    expect(job.repo.deployments).toEqual([])
    expect(run.lines.filter((l) => l.startsWith('::notice::'))).toEqual([expect.stringContaining('no github-token, so this run records no GitHub Deployment')])
  })

  it('the version input overrides the tag; the gate and the clone still use GITHUB_SHA', async () => {
    const push = pushEvent()
    greenCi(job.repo, push.after)
    const engine = job.engine({ calls: [] })
    const run = await job.step({ event: 'push', payload: push, sha: push.after, inputs: { version: 'v1.2.3' }, engine })
    expect(run.outputs.version).toBe('v1.2.3')
    const call = (engine as unknown as { o: { calls: { op: string; request: { request: unknown } }[] } }).o.calls[0]!
    expect(call.request.request).toMatchObject({ ref: push.after, version: 'v1.2.3', gate: { sha: push.after } })
  })

  it('a red check stops the deploy before any host: one error annotation linking the check, a failed Deployment', async () => {
    const push = pushEvent()
    job.repo.addCheckRun(push.after, { name: 'lint', status: 'completed', conclusion: 'failure', actions: { runId: 1111, jobId: 9 } })
    const run = await job.step({ event: 'push', payload: push, sha: push.after })

    expect(run.exitCode).toBe(1)
    const errors = errorCommands(run.lines)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.props).toEqual({ title: 'cutover: CI gate' })
    expect(errors[0]!.message).toContain('check "lint" (failure)')
    expect(errors[0]!.message).toContain('https://github.com/Codertocat/Hello-World/actions/runs/1111/job/9')
    expect(run.summary).toContain('#### Failing checks')
    expect(run.summary).toContain('- [lint](https://github.com/Codertocat/Hello-World/actions/runs/1111/job/9): failure')
    expect(job.world().services).toEqual({})
    const statuses = job.repo.deploymentStatuses.get(job.repo.deployments[0]!.id)!
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'failure'])
    expect(statuses[1]!.log_url).toBe(LOG_URL)
    expect(run.outputs).toEqual({})
  })

  it('config errors become annotations on the file and line of the bad key', async () => {
    const push = pushEvent()
    const engine = job.engine({
      configProblems: [
        { file: 'config/deploy.yml', keyPath: 'servers/web/hosts', line: 7, message: 'is a string', expected: 'a list of hosts' },
        { file: 'config/deploy.staging.yml', keyPath: 'proxy/hots', line: 3, message: 'is not a known key (did you mean `host`?)', expected: 'one of: host, hosts' },
      ],
    })
    const run = await job.step({ event: 'push', payload: push, sha: push.after, engine })
    expect(run.exitCode).toBe(1)
    const errors = errorCommands(run.lines)
    expect(errors.map((e) => e.props)).toEqual([
      { title: 'cutover: config error', file: 'config/deploy.yml', line: '7' },
      { title: 'cutover: config error', file: 'config/deploy.staging.yml', line: '3' },
    ])
    expect(errors[0]!.message).toBe('servers/web/hosts: is a string; expected a list of hosts')
    expect(run.summary).toContain('| config/deploy.yml:7 | `servers/web/hosts` | is a string; expected a list of hosts |')
  })

  it('a failed host fails the step with its (redacted) reason; the other host and the outputs are still reported', async () => {
    const push = pushEvent()
    const run = await job.step({ event: 'push', payload: push, sha: push.after, inputs: { 'wait-for-checks': 'false' }, engine: job.engine({ failHosts: ['vm2'] }) })
    expect(run.exitCode).toBe(1)
    const errors = errorCommands(run.lines)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.props).toEqual({ title: 'cutover: vm2 failed' })
    expect(errors[0]!.message).toContain('vm2: web: web: shop-web-')
    expect(errors[0]!.message).toContain('DATABASE_URL=[REDACTED]')
    expect(run.outputs.changed).toBe('true')
    expect(run.summary).toContain('| vm2 | web | **failed** |')
    expect(run.summary).toContain('#### Failed hosts')
    expectMaskedBeforeUse(job.journal, run.files, SECRETS)
  })

  it('a lock held by someone else fails fast and names the holder', async () => {
    const w = job.world()
    w.lock = { run: '999-1-abcd', details: 'Locked by: alice at 2030-01-15T11:00:00Z\nMessage: manual maintenance' }
    const { saveWorld } = await import('../../support/action/fake-engine.js')
    saveWorld(job.worldFile, w)
    const push = pushEvent()
    const run = await job.step({ event: 'push', payload: push, sha: push.after, inputs: { 'wait-for-checks': 'false' } })
    expect(run.exitCode).toBe(1)
    const errors = errorCommands(run.lines)
    expect(errors.map((e) => e.props)).toEqual([{ title: 'cutover: deploy lock held' }])
    expect(errors[0]!.message).toContain('Locked by: alice')
    expect(run.state.lock).toBe('free')
  })

  it('a token without deployments: write only warns, naming the permission; the deploy goes on', async () => {
    job.repo.denied.add('deployments')
    const push = pushEvent()
    const run = await job.step({ event: 'push', payload: push, sha: push.after, inputs: { 'wait-for-checks': 'false' } })
    expect(run.exitCode).toBe(0)
    const warnings = run.lines.filter((l) => l.startsWith('::warning::'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('add `deployments: write` under the job\'s `permissions:`')
    expect(run.outputs.changed).toBe('true')
  })
})
