/**
 * The act tier's runner: docs/workflows/*.yml, byte for byte, run by nektos/act (a real GitHub
 * Actions engine, built by the testbed) on this machine (`-P ubuntu-latest=-self-hosted`), in a
 * git repository holding the test's app. act substitutes two actions with local folders:
 * `your-org/cutover@v1` is the checkout under test (its action.yml and bundled dist/action), and
 * `actions/checkout@v4` is test/fixtures/checkout-stand-in (the real one cannot be fetched here;
 * it clones the test's repository). act itself copies the working directory instead of running
 * a checkout step that has no `with:` (its "local checkout"); a step with `ref:` runs the stand-in.
 * GITHUB_API_URL points at the OpenAPI-validated local GitHub API server; the hosts, registry
 * and kamal-proxy are the testbed's.
 *
 * One token plays GITHUB_TOKEN for both ghcr.io and the API, as on GitHub: the workflows log in
 * to the registry as `github.actor` with `secrets.GITHUB_TOKEN`, so the actor is the testbed
 * registry's user and the token its password, which the API server also accepts.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { actBinary } from '../testbed/act.js'
import { tempDir } from '../unit/image/git-fixture.js'
import { knownHostsText, testbed } from './testbed.js'

const ROOT = resolve(import.meta.dirname, '../..')
export const WORKFLOWS = join(ROOT, 'docs/workflows')
const STAND_IN = join(ROOT, 'test/fixtures/checkout-stand-in')

/** The action as a user's `uses: your-org/cutover@v1` gets it: action.yml and the bundle (act copies the whole folder, so not the repository with node_modules). */
export function actionFolder(dir: string): string {
  mkdirSync(join(dir, 'dist'), { recursive: true })
  copyFileSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'))
  cpSync(join(ROOT, 'dist/action'), join(dir, 'dist/action'), { recursive: true })
  return dir
}

/** Copies every documented workflow, unchanged, to the app's .github/workflows (where `uses: ./.github/workflows/production.yml` finds its callee). */
export function installWorkflows(appDir: string): string[] {
  const to = join(appDir, '.github/workflows')
  mkdirSync(to, { recursive: true })
  const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'))
  for (const f of files) copyFileSync(join(WORKFLOWS, f), join(to, f))
  return files
}

export interface ActOptions {
  appDir: string
  actionDir: string
  event: string
  workflow: string
  payload: unknown
  secrets: Record<string, string>
  token: string
  apiUrl: string
  dockerConfig: string
  env?: Record<string, string>
  inputs?: Record<string, string>
  timeoutMs?: number
}

export interface ActRun {
  code: number | null
  signal: NodeJS.Signals | null
  lines: string[]
  /** `name=value` from act's `::set-output::` lines, in order (several jobs may set the same name). */
  outputs: [string, string][]
  /** Markdown the steps wrote to GITHUB_STEP_SUMMARY, as act echoes it. */
  summary: string
  ms: number
}

export interface ActProcess {
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>
  /** What a person's cancel does: SIGINT to act, which kills the running step and runs the post steps. */
  cancel(): void
  done: Promise<ActRun>
}

/** Starts one act run of `workflow` for `event`; every run is bounded (SIGKILL after timeoutMs). */
export function startAct(o: ActOptions): ActProcess {
  const tmp = tempDir('cutover-act-run-')
  const eventFile = join(tmp.path, 'event.json')
  writeFileSync(eventFile, JSON.stringify(o.payload))
  const args = [
    o.event,
    '-W', `.github/workflows/${o.workflow}`,
    '-e', eventFile,
    // Jobs run on this machine: no job images to pull.
    '-P', 'ubuntu-latest=-self-hosted',
    '--local-repository', `your-org/cutover@v1=${o.actionDir}`,
    '--local-repository', `actions/checkout@v4=${STAND_IN}`,
    '--actor', testbed.registry.username,
    '--var', `KNOWN_HOSTS=${knownHostsText}`,
    '-s', 'GITHUB_TOKEN',
    ...Object.keys(o.secrets).flatMap((name) => ['-s', name]),
    '--env', `GITHUB_API_URL=${o.apiUrl}`,
    '--env', `DOCKER_CONFIG=${o.dockerConfig}`,
    // Where the checkout stand-in clones from (act leaves the workspace empty for it).
    '--env', `CUTOVER_TEST_CHECKOUT_SOURCE=${o.appDir}`,
    ...Object.entries(o.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...Object.entries(o.inputs ?? {}).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
    '--no-cache-server',
  ]
  const started = Date.now()
  // Secret values reach act through its environment (`-s NAME` reads $NAME), never its argv.
  const child = spawn(actBinary(), args, {
    cwd: o.appDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GITHUB_TOKEN: o.token, ...o.secrets },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = []
  let partial = ''
  const feed = (d: Buffer) => {
    partial += d.toString('utf8')
    const parts = partial.split('\n')
    partial = parts.pop() ?? ''
    for (const text of parts) {
      lines.push(text)
      for (const w of waiters.filter((x) => x.re.test(text))) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(text)
      }
    }
  }
  child.stdout.on('data', feed)
  child.stderr.on('data', feed)
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 240_000)
  const done = new Promise<ActRun>((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      if (partial) lines.push(partial)
      tmp.remove()
      res({ code, signal, lines, outputs: setOutputs(lines), summary: summaryOf(lines), ms: Date.now() - started })
    }),
  )
  return {
    done,
    cancel: () => void child.kill('SIGINT'),
    waitFor: (re, timeoutMs = 180_000) => {
      const seen = lines.find((l) => re.test(l))
      if (seen) return Promise.resolve(seen)
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`act printed no line matching ${re} within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join('\n')}`)), timeoutMs)
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), res(l)) })
      })
    },
  }
}

export const runAct = (o: ActOptions): Promise<ActRun> => startAct(o).done

/** act prints `[job]   ⚙  ::set-output:: name=value` for each output a step sets. */
function setOutputs(lines: readonly string[]): [string, string][] {
  return lines.flatMap((l) => {
    const m = /::set-output:: ([A-Za-z0-9_-]+)=(.*)$/.exec(l)
    return m ? [[m[1]!, m[2]!] as [string, string]] : []
  })
}

/** act echoes what a step appended to GITHUB_STEP_SUMMARY as `[job]   ⚙  Summary - <text>`, the text's later lines following as they are. */
function summaryOf(lines: readonly string[]): string {
  const out: string[] = []
  let inSummary = false
  for (const l of lines) {
    const m = /⚙ {2}Summary - (.*)$/.exec(l)
    if (m) {
      inSummary = true
      out.push(m[1]!)
    } else if (inSummary && !/^\[[^\]]+\] /.test(l)) out.push(l)
    else inSummary = false
  }
  return out.join('\n')
}

/** The last value act saw set for output `name`. */
export const output = (r: ActRun, name: string): string | undefined => r.outputs.filter(([n]) => n === name).pop()?.[1]

export const showAct = (r: ActRun): string => r.lines.slice(-80).join('\n')
