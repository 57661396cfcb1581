/**
 * The act tier: the documented workflows (docs/workflows/*.yml, copied unchanged) run by a real
 * GitHub Actions engine, nektos/act, on this machine, against the testbed and the
 * OpenAPI-validated GitHub API server (see act-harness.ts for what is real and what stands in).
 * One app goes through a user's life with those files, each step one act run:
 *
 *   push A (builds) → push A again (no-op) → schedule (no-op) → plan on PR #21 (head B) →
 *   preview #21 opened (builds B, never moves :latest) → closed → a fork's PR refused →
 *   a push of B cancelled mid-deploy (act kills the step; the post step releases the lock and
 *   settles the Deployment) → push B → rollback to A through workflow_dispatch.
 *
 * Each run asserts act's outcome, the outputs act saw set, the job summary, what the API server
 * recorded (Deployments, statuses, comments; any OpenAPI violation fails the file at close) and
 * what the hosts serve. The config names a preview-only secret (PREVIEW_DATABASE_URL) that the
 * production workflows never pass (issue 14, fix 1).
 *
 * Run alone: flock /tmp/cutover-e2e.lock npx vitest run --project e2e test/e2e/act-workflows.test.ts
 * (needs `npm run build` first: the action is the bundle).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistryClient } from '../../src/registry/index.js'
import { checksRoutes, deploymentsRoutes, FakeClock, FakeGitHub, issueCommentRoutes, startGitHubApi, type GitHubApiServer } from '../support/github-api/index.js'
import { git, tempDir } from '../unit/image/git-fixture.js'
import { actionFolder, installWorkflows, output, runAct, showAct, startAct, type ActOptions, type ActRun } from './act-harness.js'
import { appRepo, greenCi, pullRequestEvent, pushEvent, REPOSITORY, type AppRepo } from './action-harness.js'
import { removeAuditLogs, versions } from './action-testbed.js'
import { dockerConfig } from './build-fixture.js'
import { testbed } from './testbed.js'

const PR = 21
const SECRETS = {
  SSH_PRIVATE_KEY: readFileSync(testbed.ssh.keyPath, 'utf8'),
  DATABASE_URL: 'postgres://app:act-db-Sentinel-77c1@db/app',
  RAILS_MASTER_KEY: 'act-master-key-Sentinel-0d4e',
  PREVIEW_DATABASE_URL: 'postgres://app:act-preview-Sentinel-5a9b@db/preview',
}
/** GITHUB_TOKEN: the registry's password (ghcr.io takes the job's token) and the API server's token. */
const TOKEN = testbed.registry.password

let app: AppRepo
let api: GitHubApiServer
let repo: ReturnType<FakeGitHub['repo']>
let scratch: ReturnType<typeof tempDir>
let actionDir: string
let docker: string
let A: string
let B: string
const timings: [string, number][] = []
let tierStarted = 0

const act = async (name: string, o: Omit<ActOptions, 'appDir' | 'actionDir' | 'secrets' | 'token' | 'apiUrl' | 'dockerConfig'>): Promise<ActRun> => {
  const r = await runAct(options(o))
  timings.push([name, r.ms])
  return r
}
const options = (o: Omit<ActOptions, 'appDir' | 'actionDir' | 'secrets' | 'token' | 'apiUrl' | 'dockerConfig'>): ActOptions => ({ appDir: app.dir, actionDir, secrets: SECRETS, token: TOKEN, apiUrl: api.url, dockerConfig: docker, ...o })
const push = (sha: string) => ({ ...pushEvent(sha), ref: 'refs/heads/main' })
const statesOf = (i: number) => repo.deploymentStatuses.get(repo.deployments[i]!.id)!.map((s) => s.state)
const latestDigest = async () => (await createRegistryClient({ server: testbed.registry.server, username: testbed.registry.username, password: testbed.registry.password, caFile: testbed.registry.caCertPath })).manifestDigest(app.image, 'latest')
const tagDigest = async (tag: string) => (await createRegistryClient({ server: testbed.registry.server, username: testbed.registry.username, password: testbed.registry.password, caFile: testbed.registry.caCertPath })).manifestDigest(app.image, tag)
const comments = () => repo.comments.get(PR) ?? []

beforeAll(async () => {
  tierStarted = Date.now()
  // A preview-only secret in the config, production's two secrets in its env (what production.yml passes).
  app = appRepo('act', '      secret:\n        - DATABASE_URL:PREVIEW_DATABASE_URL\n')
  const config = readFileSync(join(app.dir, 'config/deploy.yml'), 'utf8').replace('    - APP_SECRET\n', '    - DATABASE_URL\n    - RAILS_MASTER_KEY\n')
  installWorkflows(app.dir)
  A = app.commit('the documented workflows, and production secrets', { 'config/deploy.yml': config })
  // act names the repository after the origin remote.
  git(app.dir, 'remote', 'add', 'origin', `https://github.com/${REPOSITORY}.git`)
  app.branch(`pr-${PR}`, 'main')
  B = app.commit('a change for the PR', { 'message.txt': 'second\n' })
  app.branch('main')
  scratch = tempDir('cutover-act-tier-')
  actionDir = actionFolder(join(scratch.path, 'action'))
  docker = dockerConfig(join(scratch.path, 'docker-config'), true)
  const clock = new FakeClock(Date.now() - 3_600_000)
  const gh = new FakeGitHub(clock)
  api = await startGitHubApi({ routes: { ...checksRoutes(gh), ...deploymentsRoutes(gh), ...issueCommentRoutes(gh) }, token: TOKEN, now: clock.now })
  repo = gh.repo(REPOSITORY)
  for (const sha of [A, B]) greenCi(repo, sha)
})

afterAll(async () => {
  if (app) {
    // The app the run left on the hosts (the preview is removed by its own scenario).
    const { cli } = await import('./action-testbed.js')
    await cli(app, ['remove', '--confirm']).catch(() => undefined)
    await removeAuditLogs(app.service)
    app.remove()
  }
  scratch?.remove()
  await api?.close()
  console.log(`act tier: ${timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)}s`).join(', ')}; whole file ${((Date.now() - tierStarted) / 1000).toFixed(1)}s`)
})

describe('docs/workflows under act, against the testbed', () => {
  it('push: deploy.yml → production.yml builds A and deploys it; a push of the same commit changes nothing; the nightly run neither', async () => {
    const first = await act('push', { event: 'push', workflow: 'deploy.yml', payload: push(A) })
    expect(first.code, showAct(first)).toBe(0)
    expect(output(first, 'changed')).toBe('true')
    expect(output(first, 'version')).toBe(A)
    expect(first.summary).toContain('cutover deploy to `production`: done')
    expect(first.summary).toMatch(/Build:\*\* built/)
    expect(first.summary).toMatch(/Durations:\*\* gate [^·]+ · build /)
    expect(await versions(app.host)).toEqual([A, A])
    expect(await latestDigest()).toBe(await tagDigest(A))
    expect(repo.deploymentRequests[0]).toMatchObject({ ref: A, environment: 'production' })
    expect(statesOf(0)).toEqual(['in_progress', 'success'])
    // Secrets reach the log only masked.
    for (const v of Object.values(SECRETS)) expect(first.lines.join('\n')).not.toContain(v.split('\n')[1] ?? v)

    const again = await act('push again', { event: 'push', workflow: 'deploy.yml', payload: push(A) })
    expect(again.code, showAct(again)).toBe(0)
    expect(output(again, 'changed')).toBe('false')
    expect(again.lines.join('\n')).toContain('Nothing changed on any host.')
    expect(again.summary).toContain('nothing to change')
    expect(statesOf(1)).toEqual(['in_progress', 'success'])

    // webhooks-examples has no schedule payload (it is not a webhook): GitHub's event is just the cron line.
    const nightly = await act('schedule', { event: 'schedule', workflow: 'scheduled.yml', payload: { schedule: '17 3 * * *' } })
    expect(nightly.code, showAct(nightly)).toBe(0)
    expect(nightly.lines.join('\n')).toContain('changed: false')
    expect(statesOf(2)).toEqual(['in_progress', 'success'])
    expect(await versions(app.host)).toEqual([A, A])
  })

  it('plan.yml on PR #21: one sticky comment with what deploying B would change; nothing built, no host changed, no Deployment', async () => {
    const deployments = repo.deployments.length
    const r = await act('plan', { event: 'pull_request', workflow: 'plan.yml', payload: pullRequestEvent('opened', PR, B) })
    expect(r.code, showAct(r)).toBe(0)
    expect(output(r, 'changed')).toBe('true')
    expect(comments()).toHaveLength(1)
    const body = comments()[0]!.body
    expect(body).toContain('<!-- cutover-plan config/deploy.yml -->')
    expect(body).toContain(`to be built from ${B}`)
    expect(body).toMatch(/\| 10\.213\.77\.11 \| web \| \*\*replaced\*\* \|/)
    expect(r.summary).toContain('📋 cutover plan')
    expect(repo.deployments.length).toBe(deployments)
    expect(await tagDigest(B)).toBeNull()
    expect(await versions(app.host)).toEqual([A, A])
  })

  it('preview.yml: opened deploys B as pr-21 without moving :latest; closed removes it; a fork\'s PR is refused with the safe pattern', async () => {
    const latest = await latestDigest()
    const opened = await act('preview opened', { event: 'pull_request', workflow: 'preview.yml', payload: pullRequestEvent('opened', PR, B) })
    expect(opened.code, showAct(opened)).toBe(0)
    expect(output(opened, 'url')).toBe(`http://${app.previewHost(PR)}`)
    expect(await versions(app.previewHost(PR))).toEqual([B, B])
    expect(await versions(app.host)).toEqual([A, A])
    expect(await tagDigest(B)).not.toBeNull()
    expect(await latestDigest()).toBe(latest)
    expect(comments().map((c) => c.body.split('\n')[0])).toEqual(['<!-- cutover-plan config/deploy.yml -->', '<!-- cutover-preview config/deploy.yml -->'])
    const previewDeployment = repo.deployments.length - 1
    expect(repo.deploymentRequests[previewDeployment]).toMatchObject({ ref: B, environment: `pr-${PR}`, transient_environment: true })
    expect(statesOf(previewDeployment)).toEqual(['in_progress', 'success'])

    const closed = await act('preview closed', { event: 'pull_request', workflow: 'preview.yml', payload: pullRequestEvent('closed', PR, B) })
    expect(closed.code, showAct(closed)).toBe(0)
    // Its route is gone (another test's catch-all route may answer the host name, never with B).
    expect(await versions(app.previewHost(PR))).not.toContain(B)
    expect(statesOf(previewDeployment)).toEqual(['in_progress', 'success', 'inactive'])
    expect(comments().find((c) => c.body.includes('cutover-preview'))!.body).toContain('removed')

    const fork = pullRequestEvent('opened', PR + 1, B) as { pull_request: { head: { repo: { full_name: string } } } }
    fork.pull_request.head.repo.full_name = 'mallory/Hello-World'
    const before = repo.deployments.length
    const refused = await act('fork PR', { event: 'pull_request', workflow: 'preview.yml', payload: fork })
    expect(refused.code).not.toBe(0)
    expect(refused.lines.join('\n')).toContain("github.event.action == 'labeled' && github.event.label.name == 'preview'")
    expect(refused.summary).toContain('cutover did not start')
    expect(refused.summary).toMatch(/https:\/\/github\.com\/[^/]+\/cutover\/blob\/v1\/docs\/action\.md#pull-requests-from-forks/)
    expect(repo.deployments.length).toBe(before)
  })

  it('a push of B cancelled mid-deploy: act kills the step, the post step releases the lock and marks the Deployment failed; then B deploys and a rollback goes back to A', async () => {
    git(app.dir, 'checkout', '--quiet', '-B', 'main', B)
    const run = startAct(options({ event: 'push', workflow: 'deploy.yml', payload: push(B), env: { CUTOVER_PAUSE_AT: 'after-start' } }))
    await run.waitFor(/cutover: paused at/)
    run.cancel()
    const cancelled = await run.done
    timings.push(['cancelled push', cancelled.ms])
    const log = cancelled.lines.join('\n')
    expect(cancelled.code, showAct(cancelled)).not.toBe(0)
    expect(log).toMatch(/this step has been cancelled: signal: killed/)
    expect(log).toContain('Post your-org/cutover@v1')
    expect(log).toContain('released the deploy lock this run held')
    expect(cancelled.summary).toContain('cutover deploy to `production`: cancelled')
    expect(cancelled.summary).toContain('- **Deployment:** marked `failure`')
    const last = repo.deployments.length - 1
    expect(repo.deploymentRequests[last]).toMatchObject({ ref: B })
    expect(statesOf(last)).toEqual(['in_progress', 'failure'])
    expect(await versions(app.host)).toEqual([A, A])

    // The lock is free: B deploys (its image is in the registry since the preview built it).
    const deployB = await act('push B', { event: 'push', workflow: 'deploy.yml', payload: push(B) })
    expect(deployB.code, showAct(deployB)).toBe(0)
    expect(deployB.summary).toContain('was already in the registry')
    expect(deployB.summary).toContain(`| \`${A}\` |`)
    expect(await versions(app.host)).toEqual([B, B])

    const rollback = await act('rollback', { event: 'workflow_dispatch', workflow: 'rollback.yml', payload: { inputs: { version: A, destination: 'production' } }, inputs: { version: A, destination: 'production' } })
    expect(rollback.code, showAct(rollback)).toBe(0)
    expect(output(rollback, 'version')).toBe(A)
    expect(rollback.summary).toContain('cutover rollback to `production`: done')
    expect(repo.deploymentRequests.at(-1)).toMatchObject({ ref: A, environment: 'production' })
    expect(statesOf(repo.deployments.length - 1)).toEqual(['in_progress', 'success'])
    expect(await versions(app.host)).toEqual([A, A])
  })
})
