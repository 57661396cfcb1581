/**
 * @github/local-action (GitHub's local runner for JavaScript/TypeScript actions) running the
 * Action's TypeScript entry (test/support/action/local-action-entry.ts: src/action as it is,
 * with the real engine) as main and as --post, against the testbed and the local GitHub API.
 *
 * What it covers, and what it does not:
 * - it runs the sources, not dist/ (local-action stubs @actions/core through module loading,
 *   which cannot reach into an ncc bundle); the bundle is what the other action-*.test.ts run;
 * - its @actions/core stand-in keeps outputs and state in memory and prints them: there are no
 *   GITHUB_OUTPUT / GITHUB_STATE files, and post reads main's state from memory, so it cannot
 *   show a post step in a process of its own (a killed main) the way action-lock.test.ts does;
 * - inputs come from a dotenv file, as INPUT_* variables.
 * So it is a second, independent way to run main then post, here for a push deploy.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inputDefaults, inputVar } from '../support/action/runner-files.js'
import { appRepo, greenCi, pushEvent, REPOSITORY, RUN_ID, secretInputs, startGitHub, type AppRepo } from './action-harness.js'
import { cli, removeAuditLogs, versions } from './action-testbed.js'
import { dockerConfig } from './build-fixture.js'
import { tempDir } from '../unit/image/git-fixture.js'

const ROOT = resolve(import.meta.dirname, '../..')
const LOCAL_ACTION = join(ROOT, 'node_modules/.bin/local-action')

let app: AppRepo
let gh: Awaited<ReturnType<typeof startGitHub>>
let tmp: { path: string; remove: () => void }

beforeAll(async () => {
  app = appRepo('lca')
  gh = await startGitHub()
  tmp = tempDir('cutover-e2e-local-action-')
})

afterAll(async () => {
  if (app) {
    const removed = await cli(app, ['remove', '--confirm'])
    if (removed.code !== 0) console.warn(`cleanup: cutover remove failed:\n${removed.stderr}`)
  }
  tmp?.remove()
  if (app) await removeAuditLogs(app.service)
  app?.remove()
  await gh?.api.close()
})

/** dotenv: double-quoted values, newlines as \n (dotenv expands them back). */
function dotenv(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => {
      if (/["\\]/.test(v)) throw new Error(`${k}: a value with " or \\ cannot be written to this dotenv file`)
      return `${k}="${v.replace(/\n/g, '\\n')}"`
    })
    .join('\n')
}

function localAction(envFile: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const entry = 'test/support/action/local-action-entry.ts'
  const child = spawn(LOCAL_ACTION, ['run', '.', entry, envFile, '--post', entry], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')))
  return new Promise((res) => child.on('close', (code) => res({ code, out })))
}

describe('@github/local-action runs the Action\'s entry, main then post', () => {
  it('deploys a push on the testbed and prints the outputs', async () => {
    const sha = app.head()
    greenCi(gh.repo, sha)
    const event = join(tmp.path, 'event.json')
    writeFileSync(event, JSON.stringify(pushEvent(sha)))
    const inputs = Object.fromEntries(Object.entries({ ...inputDefaults(), ...secretInputs() }).map(([k, v]) => [inputVar(k), v]))
    const envFile = join(tmp.path, 'action.env')
    writeFileSync(
      envFile,
      dotenv({
        ...inputs,
        GITHUB_REPOSITORY: REPOSITORY,
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: event,
        GITHUB_SHA: sha,
        GITHUB_RUN_ID: RUN_ID,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_API_URL: gh.api.url,
        GITHUB_WORKSPACE: app.dir,
        GITHUB_ACTIONS: 'true',
        RUNNER_TEMP: tmp.path,
      }),
    )
    // A DOCKER_CONFIG with buildx, as on GitHub's runners; never the machine's own.
    const r = await localAction(envFile, { DOCKER_CONFIG: dockerConfig(join(tmp.path, 'docker-config'), true) })
    expect(r.code, r.out).toBe(0)
    // main deployed; the post step ran after it, as a post step (the saved state said so): no second deploy.
    const post = r.out.slice(r.out.indexOf('Running Post Step'))
    expect(r.out.indexOf('Running Post Step')).toBeGreaterThan(r.out.indexOf('cutover deploy:'))
    expect(post).not.toContain('cutover deploy:')
    expect(await versions(app.host)).toEqual([sha, sha])
    // local-action prints the outputs it collected (a table): the version and changed=true are there.
    const outputs = r.out.slice(r.out.lastIndexOf('Action Outputs'))
    expect(outputs).toContain(sha)
    expect(outputs).toMatch(/changed\W+.*true/)
    expect(gh.repo.deploymentStatuses.get(gh.repo.deployments[0]!.id)!.map((s) => s.state)).toEqual(['in_progress', 'success'])
  })
})
