/**
 * Issue 5 at the CLI level, with the bundled CLI (dist/cli/index.js) on the testbed: `cutover
 * deploy` without --skip-build builds a committed change from a clean clone, pushes it to the
 * testbed registry and deploys it; a second deploy of that commit skips the build (with the
 * local image deleted, only the registry check can explain the skip) and changes nothing; and
 * with the GitHub environment pointing at the local API server, a failing check on the commit
 * fails the deploy, naming the check, before any host is touched.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeployResult } from '../../src/engine/result.js'
import { appRepo, REPOSITORY, startGitHub, TOKEN, type AppRepo } from './action-harness.js'
import { cli, removeAuditLogs, versions } from './action-testbed.js'
import { dockerConfig } from './build-fixture.js'
import { pool, testbed } from './testbed.js'
import { tempDir } from '../unit/build/git-fixture.js'

let app: AppRepo
let gh: Awaited<ReturnType<typeof startGitHub>>
let tmp: { path: string; remove: () => void }
/** A DOCKER_CONFIG of this file's own with buildx: the local login must not touch the machine's. */
let env: Record<string, string>

beforeAll(async () => {
  app = appRepo('shp')
  gh = await startGitHub()
  tmp = tempDir('cutover-e2e-ship-')
  env = { DOCKER_CONFIG: dockerConfig(join(tmp.path, 'docker-config'), true), XDG_CACHE_HOME: join(tmp.path, 'cache') }
})

afterAll(async () => {
  if (app) {
    const removed = await cli(app, ['remove', '--confirm'], env)
    if (removed.code !== 0) console.warn(`cleanup: cutover remove failed:\n${removed.stderr}`)
  }
  removeLocalImages()
  tmp?.remove()
  if (app) await removeAuditLogs(app.service)
  app?.remove()
  await gh?.api.close()
})

const image = () => `${testbed.registry.server}/${app.image}`

/** This app's images in the machine's engine (buildx's docker driver builds into it). */
function removeLocalImages(): string[] {
  const refs = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${image()}`], { encoding: 'utf8' }).split('\n').filter(Boolean)
  if (refs.length) execFileSync('docker', ['rmi', '--force', ...refs], { stdio: 'ignore' })
  return refs
}

/** Names of every container (running or not) of the service on each host. */
async function containers(): Promise<string[][]> {
  const p = pool()
  try {
    return await Promise.all(
      testbed.hosts.slice(0, 2).map(async (h) => {
        const host = await p.host(`${h.address}:${h.sshPort}`, h.name)
        const r = await host.exec(['docker', 'ps', '--all', '--filter', `label=service=${app.service}`, '--format', '{{.Names}}'])
        return r.stdout.split('\n').filter(Boolean).sort()
      }),
    )
  } finally {
    await p.closeAll()
  }
}

let built = ''

describe('cutover deploy builds, pushes and deploys a commit', () => {
  it('builds a committed change from a clean clone, pushes it and deploys it: /version answers the commit', async () => {
    built = app.commit('a change to deploy', { 'message.txt': 'changed\n' })
    const r = await cli(app, ['deploy', '--json'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('CI gate off: GITHUB_TOKEN and GITHUB_REPOSITORY are not set')
    expect(r.stderr).toContain(`${image()}:${built} is not in the registry yet; building it.`)
    expect(r.stderr).toMatch(/Cloning .* into /)
    expect(r.stderr).toContain('Built and pushed with docker buildx.')
    const result = JSON.parse(r.stdout) as DeployResult
    expect(result.version).toBe(built)
    expect(result.hosts.map((h) => h.action)).toEqual(['booted', 'booted'])
    expect(await versions(app.host)).toEqual([built, built])
  })

  it('a second deploy of that commit skips the build, saying so, and changes nothing', async () => {
    expect(removeLocalImages()).toContain(`${image()}:${built}`)
    const r = await cli(app, ['deploy', '--json'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`${image()}:${built} is already in the registry; skipping the build.`)
    expect(r.stderr).not.toContain('docker buildx')
    const result = JSON.parse(r.stdout) as DeployResult
    expect(result.changed).toBe(false)
    expect(result.hosts.map((h) => h.action)).toEqual(['unchanged', 'unchanged'])
    expect(removeLocalImages()).toEqual([])
  })

  it('with a failing check on the commit, the deploy fails naming the check, stops the build, and touches no host', async () => {
    // A build that cannot finish before the gate answers (the RUN line is unique, so no cache has it).
    const dockerfile = readFileSync(join(app.dir, 'Dockerfile'), 'utf8')
    const red = app.commit('a change CI rejects', { 'message.txt': 'red\n', Dockerfile: `${dockerfile}RUN echo ${app.service} && sleep 60\n` })
    gh.repo.addCheckRun(red, { name: 'test', status: 'completed', conclusion: 'success', actions: { runId: 1111, jobId: 1 } })
    gh.repo.addCheckRun(red, { name: 'lint', status: 'completed', conclusion: 'failure', actions: { runId: 1111, jobId: 2 } })
    const before = await containers()

    const started = Date.now()
    const r = await cli(app, ['deploy'], { ...env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPOSITORY, GITHUB_API_URL: gh.api.url })
    const tookMs = Date.now() - started
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(`gate: CI failed on ${red.slice(0, 12)}: check "lint" (failure)`)
    expect(r.stderr).toContain(`https://github.com/${REPOSITORY}/actions/runs/1111/job/2`)
    expect(r.stderr).not.toContain(TOKEN)
    expect(gh.api.exchanges.some((e) => e.path.includes(`/commits/${red}/check-runs`))).toBe(true)
    // The build was stopped, not left to finish (its RUN sleeps 60 s) and push.
    expect(r.stderr).not.toContain('Built and pushed')
    expect(tookMs).toBeLessThan(45_000)

    // No host was touched: the same containers, the old version served, the lock free.
    expect(await containers()).toEqual(before)
    expect(before.flat().some((name) => name.includes(red))).toBe(false)
    expect(await versions(app.host)).toEqual([built, built])
    const lock = await cli(app, ['lock', 'status', '--json'], env)
    expect(JSON.parse(lock.stdout)).toMatchObject({ held: false })
  })

  it('a build that fails while the gate still waits ends the deploy at once, naming the build failure', async () => {
    const dockerfile = readFileSync(join(app.dir, 'Dockerfile'), 'utf8').replace(/RUN echo .* && sleep 60\n/, '')
    const broken = app.commit('a change that does not build', { Dockerfile: `${dockerfile}RUN echo ${app.service} && exit 3\n` })
    // CI is still running on it, and would be for the whole gate timeout.
    gh.repo.addCheckRun(broken, { name: 'test', status: 'in_progress', actions: { runId: 1111, jobId: 3 } })

    const started = Date.now()
    const r = await cli(app, ['deploy', '--gate-timeout', '240'], { ...env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPOSITORY, GITHUB_API_URL: gh.api.url })
    const tookMs = Date.now() - started
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('gate: 0 of 1 checks done; waiting on test')
    expect(r.stderr).toMatch(/Building .*:[0-9a-f]{40} failed/)
    // Not held up by the gate's 240 s timeout.
    expect(tookMs).toBeLessThan(60_000)
    expect(await versions(app.host)).toEqual([built, built])
  })
})
