/**
 * What the Action's e2e tests share: a temp git repository holding examples/hello (its config
 * pointed at a service and proxy host of the test's own), the local GitHub API server (validated
 * against @octokit/openapi), and steps of the BUNDLED action (dist/action/index.js) run as the
 * runner runs them: a process per step with INPUT_* / GITHUB_* / STATE_* variables, the
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files and the event payload file, the app's
 * repository as the working directory.
 *
 * Real: the bundled Action and its engine, git, the image builds (buildx, buildkitd), SSH, the
 * hosts and their Docker engines, kamal-proxy and the registry (the testbed's), and HTTP to the
 * GitHub API.
 * Not real: GitHub itself. The API is a local server whose answers come from FakeGitHub, an
 * in-memory repository (check runs, statuses, deployments, comments) on a FakeClock set an hour
 * back, with requests and responses checked against GitHub's OpenAPI description; event payloads
 * are GitHub's published webhook examples, edited. The runner is this file: it sets up a step's
 * environment and files as the Actions runner documents them, but it is not GitHub's runner.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createRequire } from 'node:module'
import { checksRoutes, deploymentsRoutes, FakeClock, FakeGitHub, issueCommentRoutes, startGitHubApi, type GitHubApiServer } from '../support/github-api/index.js'
import { readStep, stepEnv, stepFiles, type StepFiles } from '../support/action/runner-files.js'
import { git, makeRepo, tempDir, write } from '../unit/image/git-fixture.js'
import { dockerConfig } from './build-fixture.js'
import { knownHostsText, testbed } from './testbed.js'

const ROOT = resolve(import.meta.dirname, '../..')
export const ACTION = join(ROOT, 'dist/action/index.js')
export const CLI = join(ROOT, 'dist/cli/index.js')
const example = join(ROOT, 'examples/hello')
const require = createRequire(import.meta.url)

/** Unique per test run: service names, proxy hosts and image repositories never meet another run's. */
export const runTag = `${Date.now().toString(36)}${process.pid.toString(36)}`

export const REPOSITORY = 'Codertocat/Hello-World'
export const RUN_ID = '7700'
export const TOKEN = 'ghs_e2eActionToken_NeverLogged_5150'
/** A secret env value of the app (env.secret), passed through the `secrets` input. */
export const APP_SECRET = 'app-secret-Sentinel-e2e-93c1'
export const sshKey = readFileSync(testbed.ssh.keyPath, 'utf8')
export const registryPassword = testbed.registry.password

export interface AppRepo {
  dir: string
  service: string
  /** The production proxy host. */
  host: string
  /** The proxy host of PR `n`'s preview. */
  previewHost(n: number): string
  image: string
  commit(message: string, files?: Record<string, string>): string
  /** Check out (creating it from `from` when new) a branch, as a PR's head. */
  branch(name: string, from?: string): void
  head(): string
  remove(): void
}

/** examples/hello in a git repository of its own, with `service`, `image` and the proxy hosts this test owns. */
export function appRepo(name: string, extra = ''): AppRepo {
  const service = `${name}-${runTag}`
  const host = `${service}.e2e.test`
  const image = `e2e/action-${runTag}/${name}`
  const base = readFileSync(join(example, 'config/deploy.yml'), 'utf8')
  const config = base
    .replace(/^service: hello$/m, `service: ${service}`)
    .replace(/^image: testbed\/hello$/m, `image: ${image}`)
    .replace(/^proxy:\n/m, `proxy:\n  host: ${host}\n`)
    .replace(/^env:\n  clear:\n    GREETING: hello\n?$/m, 'env:\n  clear:\n    GREETING: hello\n  secret:\n    - APP_SECRET\n')
  if (config === base || !config.includes(`host: ${host}`) || !config.includes('- APP_SECRET')) throw new Error('examples/hello/config/deploy.yml changed shape; update appRepo')
  const tmp = tempDir(`cutover-e2e-${name}-`)
  const dir = join(tmp.path, 'app')
  makeRepo(dir, {
    Dockerfile: readFileSync(join(example, 'Dockerfile'), 'utf8'),
    'config/deploy.yml': `${config.trimEnd()}\n\nx-cutover:\n  preview:\n    host: pr-{number}.${host}\n    env:\n      clear:\n        GREETING: preview\n${extra}`,
    'message.txt': 'first\n',
  })
  return {
    dir,
    service,
    host,
    image,
    previewHost: (n) => `pr-${n}.${host}`,
    commit(message, files = {}) {
      for (const [path, content] of Object.entries(files)) write(dir, path, content)
      git(dir, 'add', '--all')
      git(dir, 'commit', '--quiet', '--allow-empty', '-m', message)
      return git(dir, 'rev-parse', 'HEAD')
    },
    branch(b, from) {
      if (from) git(dir, 'checkout', '--quiet', '-B', b, from)
      else git(dir, 'checkout', '--quiet', b)
    },
    head: () => git(dir, 'rev-parse', 'HEAD'),
    remove: tmp.remove,
  }
}

/**
 * The GitHub API the Action talks to. The clock stands an hour in the past, so check runs the
 * test adds look finished long ago (as for a commit CI ran on earlier): the gate's discovery
 * window is over at the first poll and no test waits on wall-clock windows.
 */
export async function startGitHub(): Promise<{ api: GitHubApiServer; gh: FakeGitHub; repo: ReturnType<FakeGitHub['repo']>; clock: FakeClock }> {
  const clock = new FakeClock(Date.now() - 3_600_000)
  const gh = new FakeGitHub(clock)
  const api = await startGitHubApi({ routes: { ...checksRoutes(gh), ...deploymentsRoutes(gh), ...issueCommentRoutes(gh) }, token: TOKEN, now: clock.now })
  return { api, gh, repo: gh.repo(REPOSITORY), clock }
}

/** Green CI on a commit: one finished check run of another workflow run. */
export function greenCi(repo: ReturnType<FakeGitHub['repo']>, sha: string): void {
  repo.addCheckRun(sha, { name: 'test', status: 'completed', conclusion: 'success', actions: { runId: 1111, jobId: 1 } })
}

interface WebhookExamples {
  name: string
  examples: Record<string, unknown>[]
}
const examples = (): WebhookExamples[] => require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookExamples[]

/** GitHub's own example `pull_request` payload for `action`, edited for this PR's number and head commit. */
export function pullRequestEvent(action: 'opened' | 'synchronize' | 'closed', number: number, headSha: string): Record<string, unknown> {
  const ex = examples().find((w) => w.name === 'pull_request')?.examples.find((e) => e.action === action)
  if (!ex) throw new Error(`@octokit/webhooks-examples has no pull_request.${action} example`)
  const p = structuredClone(ex) as { number: number; pull_request: { number: number; head: { sha: string } } }
  p.number = p.pull_request.number = number
  p.pull_request.head.sha = headSha
  return p as unknown as Record<string, unknown>
}

/** GitHub's example `push` payload, for the commit pushed. */
export function pushEvent(sha: string): Record<string, unknown> {
  const ex = examples().find((w) => w.name === 'push')?.examples.find((e) => /^[0-9a-f]{40}$/.test(String(e.after)) && !/^0+$/.test(String(e.after)))
  if (!ex) throw new Error('@octokit/webhooks-examples has no push example with a commit')
  return { ...structuredClone(ex), after: sha }
}

/** A line a step printed, with when the test process received it (ms since the epoch). */
export interface Line {
  at: number
  stream: 'stdout' | 'stderr'
  text: string
}

export interface StepResult {
  code: number | null
  signal: NodeJS.Signals | null
  lines: Line[]
  stdout: string[]
  outputs: Record<string, string>
  summary: string
  state: Record<string, string>
  /** Output, summary and state files' raw text. */
  files: string
  /** What the runner hands a post step: STATE_* from this step's GITHUB_STATE. */
  files_: StepFiles
}

export interface Step {
  child: ChildProcess
  lines: Line[]
  /** Resolves at the first line matching `re` (bounded by `timeoutMs`). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<Line>
  done: Promise<StepResult>
}

export interface Job {
  dir: string
  dockerConfig: string
  steps: StepResult[]
  /** Starts one step of the bundled action; `state` makes it the post step. */
  start(o: StepOptions): Step
  run(o: StepOptions): Promise<StepResult>
  /** The post step for `main`, with the state main saved. */
  post(main: StepResult, o: Omit<StepOptions, 'state'>): Promise<StepResult>
  remove(): void
}

export interface StepOptions {
  name?: string
  event: string
  payload: unknown
  sha: string
  inputs?: Record<string, string>
  state?: Record<string, string>
  /** Extra environment for the process (e.g. CUTOVER_PAUSE_AT). */
  env?: Record<string, string>
}

/**
 * The inputs a workflow passes: SSH key, known_hosts, registry credentials, the token and the
 * app's secret, all as inputs (nothing from the test's own environment reaches the step).
 */
export const secretInputs = (): Record<string, string> => ({
  'ssh-private-key': sshKey,
  'known-hosts': knownHostsText,
  'registry-username': testbed.registry.username,
  'registry-password': registryPassword,
  'github-token': TOKEN,
  // The heredoc form, so no line of the input is the env-file line `APP_SECRET=…`: that derived
  // value is masked by the engine alone, and the order check can catch it masked late.
  secrets: `APP_SECRET<<EOF\n${APP_SECRET}\nEOF`,
})

/**
 * A job on a runner: its own temp dir (step files, a DOCKER_CONFIG with buildx, as GitHub's
 * runners have it, so local logins never touch this machine's own docker config), and the app
 * repository as the workspace and working directory.
 */
export function job(app: AppRepo, apiUrl: string): Job {
  const tmp = tempDir('cutover-e2e-job-')
  const config = dockerConfig(join(tmp.path, 'docker-config'), true)
  let n = 0
  const steps: StepResult[] = []
  const start = (o: StepOptions): Step => {
    const files = stepFiles(tmp.path, `${++n}-${o.name ?? (o.state ? 'post' : 'main')}`)
    writeFileSync(files.event, JSON.stringify(o.payload))
    const github = {
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_EVENT_NAME: o.event,
      GITHUB_SHA: o.sha,
      GITHUB_RUN_ID: RUN_ID,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'deploy',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: apiUrl,
      GITHUB_WORKSPACE: app.dir,
    }
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DOCKER_CONFIG: config,
      ...stepEnv({ files, inputs: { ...secretInputs(), ...o.inputs }, github, ...(o.state ? { state: o.state } : {}) }),
      ...o.env,
    }
    const child = spawn(process.execPath, [ACTION], { cwd: app.dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const lines: Line[] = []
    const waiters: { re: RegExp; resolve: (l: Line) => void }[] = []
    const feed = (stream: 'stdout' | 'stderr') => {
      let partial = ''
      child[stream]!.on('data', (d: Buffer) => {
        partial += d.toString('utf8')
        const parts = partial.split('\n')
        partial = parts.pop() ?? ''
        const at = Date.now()
        for (const text of parts) {
          const line = { at, stream, text }
          lines.push(line)
          for (const w of waiters.filter((x) => x.re.test(text))) {
            waiters.splice(waiters.indexOf(w), 1)
            w.resolve(line)
          }
        }
      })
      child[stream]!.on('end', () => {
        if (partial) lines.push({ at: Date.now(), stream, text: partial })
      })
    }
    feed('stdout')
    feed('stderr')
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })))
    const done = exited.then(({ code, signal }) => {
      const read = readStep(files)
      const r: StepResult = {
        code,
        signal,
        lines,
        stdout: lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
        outputs: read.outputs,
        summary: read.summary,
        state: read.state,
        files: read.raw,
        files_: files,
      }
      steps.push(r)
      return r
    })
    return {
      child,
      lines,
      done,
      waitFor: (re, timeoutMs = 120_000) => {
        const seen = lines.find((l) => re.test(l.text))
        if (seen) return Promise.resolve(seen)
        return new Promise<Line>((res, rej) => {
          const timer = setTimeout(() => rej(new Error(`no line matching ${re} within ${timeoutMs} ms; last lines:\n${lines.slice(-15).map((l) => l.text).join('\n')}`)), timeoutMs)
          const w = { re, resolve: (l: Line) => (clearTimeout(timer), res(l)) }
          waiters.push(w)
          void exited.then(() => {
            if (waiters.includes(w)) {
              clearTimeout(timer)
              rej(new Error(`the step exited without a line matching ${re}; last lines:\n${lines.slice(-15).map((l) => l.text).join('\n')}`))
            }
          })
        })
      },
    }
  }
  return {
    dir: tmp.path,
    dockerConfig: config,
    steps,
    start,
    run: (o) => start(o).done,
    post: (main, o) => start({ ...o, name: 'post', state: main.state }).done,
    remove: tmp.remove,
  }
}

/** Lines of a step as text, for failure messages. */
export const show = (r: StepResult): string => r.lines.map((l) => `${l.stream === 'stderr' ? '[err] ' : ''}${l.text}`).join('\n')
