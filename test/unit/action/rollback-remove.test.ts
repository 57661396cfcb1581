import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeployResult } from '../../../src/engine/result.js'
import { errorCommands } from '../../support/action/log-lines.js'
import { pushEvent, startJob, type Job } from '../../support/action/scenario.js'

let job: Job
beforeEach(async () => {
  job = await startJob()
})
afterEach(async () => {
  await job.close()
})

const dispatch = () => ({ ...pushEvent(), inputs: {} })

async function deploy(version: string) {
  const push = pushEvent()
  return job.step({ event: 'push', payload: push, sha: push.after, inputs: { version, 'wait-for-checks': 'false' } })
}

describe('rollback (workflow_dispatch)', () => {
  it('redeploys a retained version without building and without waiting for CI', async () => {
    await deploy('v1')
    await deploy('v2')
    const engine = job.engine({ calls: [] })
    const run = await job.step({ event: 'workflow_dispatch', payload: dispatch(), sha: pushEvent().after, inputs: { command: 'rollback', version: 'v1' }, engine })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.version).toBe('v1')
    expect((JSON.parse(run.outputs.result!) as DeployResult).hosts.map((h) => h.action)).toEqual(['replaced', 'replaced'])
    const call = (engine as unknown as { o: { calls: { op: string; request: { request: Record<string, unknown> } }[] } }).o.calls[0]!
    expect(call.op).toBe('rollback')
    expect(call.request.request.version).toBe('v1')
    expect(call.request.request.skipBuild).toBe(true)
    expect(call.request.request.gate).toBeUndefined()
    // No check was polled: the gate is off for rollbacks unless asked for.
    expect(job.s.api.exchanges.filter((e) => e.path.includes('/check-runs'))).toEqual([])
    expect(run.summary).toContain('`v1` (running), `v2`')
    // The version is not a commit, so the Deployment records the dispatching commit.
    expect(job.repo.deploymentRequests.at(-1)).toMatchObject({ ref: pushEvent().after, environment: 'production', payload: { version: 'v1', command: 'rollback' } })
  })

  it('a version that is a commit SHA becomes the Deployment ref', async () => {
    const old = 'a1b2c3d'.padEnd(40, '0')
    await deploy(old)
    await deploy('v2')
    await job.step({ event: 'workflow_dispatch', payload: dispatch(), sha: pushEvent().after, inputs: { command: 'rollback', version: old } })
    expect(job.repo.deploymentRequests.at(-1)!.ref).toBe(old)
  })

  it('an unknown version fails clearly and lists the retained versions', async () => {
    await deploy('v1')
    await deploy('v2')
    const run = await job.step({ event: 'workflow_dispatch', payload: dispatch(), sha: pushEvent().after, inputs: { command: 'rollback', version: 'v0' } })
    expect(run.exitCode).toBe(1)
    const errors = errorCommands(run.lines)
    expect(errors.map((e) => e.props.title)).toEqual(['cutover: version not found'])
    expect(errors[0]!.message).toContain(':v0 is neither retained on the hosts nor in the registry')
    expect(run.summary).toContain('| vm1 | web | `v2` (running), `v1` |')
    expect(job.world().services.shop!.running).toBe('v2')
  })

  it('rollback without a version is an input error naming `version`', async () => {
    const run = await job.step({ event: 'workflow_dispatch', payload: dispatch(), sha: pushEvent().after, inputs: { command: 'rollback' } })
    expect(run.exitCode).toBe(1)
    const errors = errorCommands(run.lines)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toContain('Input `version` is required for `command: rollback`')
    expect(job.repo.deploymentRequests).toEqual([])
  })
})

describe('remove', () => {
  it('removes the app and marks the environment\'s deployments inactive', async () => {
    await deploy('v1')
    const run = await job.step({ event: 'workflow_dispatch', payload: dispatch(), sha: pushEvent().after, inputs: { command: 'remove' } })
    expect(run.exitCode).toBe(0)
    expect(job.world().services).toEqual({})
    expect((JSON.parse(run.outputs.result!) as DeployResult).hosts.map((h) => h.action)).toEqual(['removed', 'removed'])
    const statuses = job.repo.deploymentStatuses.get(job.repo.deployments[0]!.id)!
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive'])
    // remove creates no Deployment of its own.
    expect(job.repo.deployments).toHaveLength(1)
    expect(run.summary).not.toContain('**URL:**')
  })
})

describe('schedule', () => {
  it('a scheduled redeploy of an unchanged commit waits for CI, builds nothing and changes nothing', async () => {
    const push = pushEvent()
    job.repo.addCheckRun(push.after, { name: 'test', status: 'completed', conclusion: 'success', actions: { runId: 1111, jobId: 1 } })
    await job.step({ event: 'push', payload: push, sha: push.after })
    const run = await job.step({ event: 'schedule', payload: { schedule: '17 3 * * *' }, sha: push.after })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.changed).toBe('false')
    expect(run.summary).toContain('**Build:** skipped')
    expect(run.summary).toContain('**CI gate:** gate: CI is green')
  })
})
