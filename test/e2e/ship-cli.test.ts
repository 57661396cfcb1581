/**
 * Issue 5 at the CLI level, with the bundled CLI (dist/cli/index.js) on the testbed: `cutover
 * deploy` without --skip-build builds a committed change from a clean clone, pushes it to the
 * testbed registry and deploys it; a second deploy of that commit skips the build (with the
 * local image deleted, only the registry check can explain the skip) and changes nothing. With
 * the GitHub environment pointing at the local API server: a check that fails while the build
 * runs fails the deploy, naming the check, stops the build and touches no host; a build that
 * fails while CI still runs ends the deploy without waiting for the gate. What shows each of
 * these is what happened (processes, the registry, the hosts, exit codes), never a duration.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeployResult } from '../../src/engine/result.js'
import { appRepo, REPOSITORY, startGitHub, TOKEN, type AppRepo } from './action-harness.js'
import { cli, removeAuditLogs, versions } from './action-testbed.js'
import { dockerConfig } from './build-fixture.js'
import { registryHasTag } from './support/registry.js'
import { pool, testbed } from './testbed.js'
import { tempDir } from '../unit/image/git-fixture.js'

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

/** Is a process of the machine's build (the docker driver runs it in this machine's engine) running a RUN line holding `marker`? */
function buildRunning(marker: string): boolean {
  return execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').some((args) => args.includes(marker))
}

/** Kills the processes of a build's RUN line holding `marker` (clean-up when a test finds one still running). */
function killBuild(marker: string): void {
  for (const line of execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n')) {
    const [, pid, args] = /^\s*(\d+) (.*)$/.exec(line) ?? []
    if (pid && args?.includes(marker)) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {
        // gone already
      }
    }
  }
}

/** Polls `check` up to `looks` times, `gapMs` apart; true once it holds. */
async function eventually(check: () => boolean | Promise<boolean>, looks: number, gapMs: number): Promise<boolean> {
  for (let i = 0; i < looks; i++) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, gapMs))
  }
  return check()
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

  it('a check that fails while the build runs fails the deploy, naming the check, stops the build mid-RUN, and touches no host', async () => {
    // The build's RUN sleeps far longer than any test runs (its line is unique, so no cache has
    // it). The command after the sleep keeps the RUN's shell alive, with the marker in its
    // arguments, for as long as the step runs (a shell execs its last command in place).
    const marker = `${app.service}-red-build`
    const dockerfile = readFileSync(join(app.dir, 'Dockerfile'), 'utf8')
    const red = app.commit('a change CI rejects', { 'message.txt': 'red\n', Dockerfile: `${dockerfile}RUN echo ${marker} && sleep 300 && echo ${marker} done\n` })
    gh.repo.addCheckRun(red, { name: 'test', status: 'completed', conclusion: 'success', actions: { runId: 1111, jobId: 1 } })
    const lint = gh.repo.addCheckRun(red, { name: 'lint', status: 'in_progress', actions: { runId: 1111, jobId: 2 } })
    const before = await containers()

    const deploying = cli(app, ['deploy'], { ...env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPOSITORY, GITHUB_API_URL: gh.api.url })
    try {
      try {
        // CI fails only once the build is inside its RUN step: the gate's failure has a build to stop.
        expect(await eventually(() => buildRunning(marker), 240, 500), `the build's RUN step (${marker}) started`).toBe(true)
      } finally {
        gh.repo.update(lint, 'completed', 'failure')
      }
      const r = await deploying
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toContain(`gate: CI failed on ${red.slice(0, 12)}: check "lint" (failure)`)
      expect(r.stderr).toContain(`https://github.com/${REPOSITORY}/actions/runs/1111/job/2`)
      expect(r.stderr).not.toContain(TOKEN)
      expect(gh.api.exchanges.some((e) => e.path.includes(`/commits/${red}/check-runs`))).toBe(true)

      // The build was stopped, not left to finish and push: its RUN (300 s of sleep) is gone, the
      // CLI never said it pushed, and the registry has no image for the red commit.
      expect(await eventually(() => !buildRunning(marker), 60, 500), `the build's RUN step (${marker}) still runs after the CLI ended: the build was not stopped`).toBe(true)
      expect(r.stderr).not.toContain('Built and pushed')
      expect(await registryHasTag(app.image, built), 'the registry check sees a pushed tag').toBe(true)
      expect(await registryHasTag(app.image, red), `${image()}:${red} in the registry`).toBe(false)
    } finally {
      // A build left running would push the red image minutes from now: end it (its RUN killed, the build fails).
      killBuild(marker)
    }

    // No host was touched: the same containers, the old version served, the lock free.
    expect(await containers()).toEqual(before)
    expect(before.flat().some((name) => name.includes(red))).toBe(false)
    expect(await versions(app.host)).toEqual([built, built])
    const lock = await cli(app, ['lock', 'status', '--json'], env)
    expect(JSON.parse(lock.stdout)).toMatchObject({ held: false })
  })

  it('a build that fails while the gate still waits ends the deploy by itself, naming the build failure', async () => {
    const dockerfile = readFileSync(join(app.dir, 'Dockerfile'), 'utf8').replace(/RUN echo .* && sleep 300 .*\n/, '')
    expect(dockerfile).not.toContain('sleep 300')
    const broken = app.commit('a change that does not build', { Dockerfile: `${dockerfile}RUN echo ${app.service} && exit 3\n` })
    // CI is still running on it, and stays so: only the build's failure can end this deploy.
    gh.repo.addCheckRun(broken, { name: 'test', status: 'in_progress', actions: { runId: 1111, jobId: 3 } })

    // The gate would wait an hour; the CLI is killed long before that (cli()'s bound), which
    // would end it with no exit code.
    const r = await cli(app, ['deploy', '--gate-timeout', '3600'], { ...env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPOSITORY, GITHUB_API_URL: gh.api.url })
    expect(r.signal, r.stderr).toBeNull()
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toContain('gate: 0 of 1 checks done; waiting on test')
    expect(r.stderr).toMatch(/Building .*:[0-9a-f]{40} failed/)
    // The gate never reached a verdict: it was stopped, not timed out or answered.
    expect(r.stderr).not.toMatch(/gate: CI (is green|failed)|timed out/)
    expect(await registryHasTag(app.image, broken)).toBe(false)
    expect(await versions(app.host)).toEqual([built, built])
  })
})
