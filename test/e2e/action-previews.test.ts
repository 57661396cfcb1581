/**
 * PR previews with the bundled Action on the testbed: two pull requests deployed side by side
 * on the same hosts, each on its own host name, one sticky comment each; a new push to one of
 * them; then `closed` removes that one while the other keeps serving. Payloads are GitHub's own
 * examples (@octokit/webhooks-examples), edited for the PR numbers and head commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeployResult } from '../../src/engine/result.js'
import { appRepo, greenCi, job, pullRequestEvent, show, startGitHub, type AppRepo, type Job } from './action-harness.js'
import { proxyRoutes, removeAuditLogs, versions, viaProxy } from './action-testbed.js'
import { expectNoLeaks } from './action-leaks.js'
import { pool, testbed } from './testbed.js'

let app: AppRepo
let gh: Awaited<ReturnType<typeof startGitHub>>
let j: Job
/** GITHUB_SHA on pull_request events: the test merge commit, which must never be what is deployed. */
const MERGE_SHA = 'e'.repeat(40)
const heads: Record<number, string> = {}
/** Every head #11 had, in order (its deployments' refs). */
const pr11Heads: string[] = []

beforeAll(async () => {
  app = appRepo('prv')
  gh = await startGitHub()
  j = job(app, gh.api.url)
  for (const pr of [11, 12]) {
    app.branch(`pr-${pr}`, 'main')
    heads[pr] = app.commit(`change for #${pr}`, { 'message.txt': `pr ${pr}\n` })
    greenCi(gh.repo, heads[pr]!)
  }
  pr11Heads.push(heads[11]!)
  app.branch('main')
})

afterAll(async () => {
  // Both previews go, whatever the tests left (preview-remove succeeds when one is already gone).
  for (const pr of [11, 12]) {
    if (!j) break
    const r = await j.run({ event: 'pull_request', payload: pullRequestEvent('closed', pr, heads[pr]!), sha: MERGE_SHA, inputs: { command: 'preview-remove' } })
    if (r.code !== 0) console.warn(`cleanup: preview-remove of #${pr} failed:\n${show(r)}`)
  }
  j?.remove()
  if (app) await removeAuditLogs(app.service)
  app?.remove()
  await gh?.api.close()
})

const preview = (pr: number, action: 'opened' | 'synchronize' | 'closed', command = action === 'closed' ? 'preview-remove' : 'preview-deploy') =>
  j.run({ event: 'pull_request', payload: pullRequestEvent(action, pr, heads[pr]!), sha: MERGE_SHA, inputs: { command } })
const commentsOn = (pr: number) => gh.repo.comments.get(pr) ?? []

describe('PR previews with the bundled action', () => {
  it('deploys two PRs side by side on the same hosts, each on its own host name, with one sticky comment each', async () => {
    for (const pr of [11, 12]) {
      const run = await preview(pr, 'opened')
      expect(run.code, show(run)).toBe(0)
      expect(run.outputs.version).toBe(heads[pr])
      expect(run.outputs.url).toBe(`http://${app.previewHost(pr)}`)
      expect((JSON.parse(run.outputs.result!) as DeployResult).hosts.map((h) => h.action)).toEqual(['booted', 'booted'])
    }
    expect(await versions(app.previewHost(11))).toEqual([heads[11], heads[11]])
    expect(await versions(app.previewHost(12))).toEqual([heads[12], heads[12]])
    // Side by side: both routes on both hosts, each on its own name; production was never deployed.
    for (const routes of await proxyRoutes()) {
      expect(routes.get(`${app.service}-pr-11-web`)).toEqual([app.previewHost(11)])
      expect(routes.get(`${app.service}-pr-12-web`)).toEqual([app.previewHost(12)])
      expect(routes.has(`${app.service}-web`)).toBe(false)
    }
    // The merge commit was never built, gated or deployed.
    expect(gh.api.exchanges.some((e) => e.path.includes(MERGE_SHA))).toBe(false)

    for (const pr of [11, 12]) {
      const comments = commentsOn(pr)
      expect(comments).toHaveLength(1)
      expect(comments[0]!.body).toContain(`http://${app.previewHost(pr)}`)
      expect(comments[0]!.body).toContain(heads[pr]!)
    }
    const envs = gh.repo.deploymentRequests.map((d) => [d.environment, d.ref, d.transient_environment])
    expect(envs).toEqual([['pr-11', heads[11], true], ['pr-12', heads[12], true]])
  })

  it('a preview gets its own env and none of production\'s secrets', async () => {
    const env = await containerEnv(`${app.service}-pr-11`)
    expect(env).toContain('GREETING=preview')
    expect(env.some((l) => l.startsWith('APP_SECRET='))).toBe(false)
  })

  it('a push to one PR (synchronize) redeploys it and edits its comment; the other is untouched', async () => {
    app.branch(`pr-11`)
    heads[11] = app.commit('more for #11', { 'message.txt': 'pr 11, again\n' })
    pr11Heads.push(heads[11])
    app.branch('main')
    greenCi(gh.repo, heads[11])
    const run = await preview(11, 'synchronize')
    expect(run.code, show(run)).toBe(0)
    expect((JSON.parse(run.outputs.result!) as DeployResult).hosts.map((h) => h.action)).toEqual(['replaced', 'replaced'])
    expect(await versions(app.previewHost(11))).toEqual([heads[11], heads[11]])
    expect(await versions(app.previewHost(12))).toEqual([heads[12], heads[12]])
    expect(commentsOn(11)).toHaveLength(1)
    expect(commentsOn(11)[0]!.body).toContain(heads[11]!)
    expect(commentsOn(12)).toHaveLength(1)
  })

  it('closing one PR removes its preview while the other keeps serving without a failed request', async () => {
    let stop = false
    let answered = 0
    const failures: string[] = []
    const deadline = Date.now() + 120_000
    const load = (async () => {
      for (let i = 0; i < 20_000 && !stop && Date.now() < deadline; i++) {
        for (const vm of [0, 1]) {
          const r = await viaProxy(vm, app.previewHost(12), '/version').catch((e: Error) => ({ status: 0, body: e.message }))
          if (r.status === 200 && r.body.trim() === heads[12]) answered++
          else failures.push(`vm${vm + 1}: ${r.status} ${r.body.slice(0, 80)}`)
        }
      }
    })()
    let run
    try {
      run = await preview(11, 'closed')
    } finally {
      stop = true
      await load
    }
    expect(run.code, show(run)).toBe(0)
    expect(failures).toEqual([])
    expect(answered).toBeGreaterThan(0)
    expect((JSON.parse(run.outputs.result!) as DeployResult).hosts.map((h) => [h.host, h.action])).toEqual([['10.213.77.11', 'removed'], ['10.213.77.12', 'removed']])
    // #11's route is gone (its host name now falls through to whatever else the shared hosts serve).
    for (const routes of await proxyRoutes()) {
      expect(routes.has(`${app.service}-pr-11-web`)).toBe(false)
      expect(routes.get(`${app.service}-pr-12-web`)).toEqual([app.previewHost(12)])
    }
    expect(await versions(app.previewHost(11))).not.toContain(heads[11])
    expect(await versions(app.previewHost(12))).toEqual([heads[12], heads[12]])
    expect(await containerEnv(`${app.service}-pr-11`).catch((e: Error) => e.message)).toMatch(/no running container/)

    // Its deployments went inactive and its one comment says it is gone; #12's are as they were.
    const pr11 = gh.repo.deployments.filter((d) => d.environment === 'pr-11')
    // Two: the `opened` deploy and the `synchronize` one.
    expect(pr11.map((d) => d.ref)).toEqual([pr11Heads[0], pr11Heads[1]])
    for (const d of pr11) expect(gh.repo.deploymentStatuses.get(d.id)!.at(-1)!.state).toBe('inactive')
    const pr12 = gh.repo.deployments.filter((d) => d.environment === 'pr-12')
    expect(gh.repo.deploymentStatuses.get(pr12[0]!.id)!.at(-1)!.state).toBe('success')
    expect(commentsOn(11)).toHaveLength(1)
    expect(commentsOn(11)[0]!.body).toContain('removed')
  })

  it('removing a preview that is already gone succeeds', async () => {
    const run = await preview(11, 'closed')
    expect(run.code, show(run)).toBe(0)
    expect(commentsOn(11)).toHaveLength(1)
  })

  it('no secret reached any log line, output, summary, state file or GitHub record', () => {
    const sent = JSON.stringify([gh.repo.deploymentRequests, [...gh.repo.deploymentStatuses.values()], [...gh.repo.comments.values()]])
    expectNoLeaks(j.steps, sent)
  })
})

/** The environment of the running container of `service`'s web role on vm1 (`docker exec … env`). */
async function containerEnv(service: string): Promise<string[]> {
  const p = pool()
  try {
    const h = testbed.hosts[0]!
    const host = await p.host(`${h.address}:${h.sshPort}`, h.name)
    const ps = await host.exec(['docker', 'ps', '--filter', `label=service=${service}`, '--filter', 'label=role=web', '--format', '{{.Names}}'])
    const name = ps.stdout.trim().split('\n')[0]
    if (!name) throw new Error(`no running container of ${service} on ${h.name}`)
    const env = await host.exec(['docker', 'exec', name, 'env'])
    return env.stdout.split('\n')
  } finally {
    await p.closeAll()
  }
}
