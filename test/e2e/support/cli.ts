import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'

/**
 * The BUNDLED CLI, `node dist/cli/index.js`, run as a child process: the end-to-end tests prove
 * what ships (dist/ is checked fresh against src/ by test/unit/dist-fresh.test.ts).
 */
export const CLI = resolve(import.meta.dirname, '../../../dist/cli/index.js')

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
}

export interface CliOptions {
  cwd: string
  /** The child's whole environment besides PATH and HOME (the test's own env is not inherited,
   * so a CI runner's GITHUB_* variables cannot change what the CLI does). */
  env: Record<string, string>
  /** The child is SIGKILLed after this; the run then fails the test that awaited it. */
  timeoutMs?: number
}

/** A running CLI: its output so far, a wait for a line, and its end. */
export interface RunningCli {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves once stderr matches `pattern`; rejects when the CLI ends first or after timeoutMs. */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<void>
  done: Promise<CliRun>
}

export function startCutover(args: readonly string[], options: CliOptions): RunningCli {
  const started = performance.now()
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s))
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s
    for (const l of listeners) l()
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000)
  const done = new Promise<CliRun>((resolveDone, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      for (const l of listeners) l()
      resolveDone({ code, signal, stdout: out, stderr: err, ms: Math.round(performance.now() - started) })
    })
  })
  const waitForStderr = (pattern: RegExp, timeoutMs: number): Promise<void> =>
    new Promise((ok, fail) => {
      const check = (): void => {
        if (pattern.test(err)) return finish(ok)
        if (child.exitCode !== null || child.signalCode !== null) finish(() => fail(new Error(`cutover ended before stderr matched ${pattern}:\n${err}`)))
      }
      const timer = setTimeout(() => finish(() => fail(new Error(`stderr did not match ${pattern} within ${timeoutMs} ms:\n${err}`))), timeoutMs)
      const finish = (then: () => void): void => {
        clearTimeout(timer)
        listeners.delete(check)
        then()
      }
      listeners.add(check)
      check()
    })
  return { child, stdout: () => out, stderr: () => err, waitForStderr, done }
}

export function cutover(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return startCutover(args, options).done
}

/** Everything a run showed a person or a program: what must never hold a secret. */
export const everything = (run: CliRun): string => `${run.stdout}\n${run.stderr}`
