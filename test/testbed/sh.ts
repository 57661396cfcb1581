import { spawn } from 'node:child_process'

/** A failure of one testbed step: says which step, what the tool printed, and how to fix it. */
export class StepError extends Error {
  constructor(step: string, detail: string, fix?: string) {
    super(`testbed: ${step} failed: ${detail}${fix ? `\n  fix: ${fix}` : ''}`)
    this.name = 'StepError'
  }
}

export interface RunOptions {
  /** Bytes for the program's stdin (passwords travel here, never in argv). */
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Hard limit; the program is killed when it is reached. */
  timeoutMs?: number
  /** Stream the program's output to ours (long steps such as apt-get and mmdebstrap). */
  echo?: boolean
  /** Said after "fix:" when the step fails. */
  fix?: string
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

const tail = (text: string, lines = 15): string => text.trim().split('\n').slice(-lines).join('\n')

/** Runs argv without a shell and resolves whatever the exit code is. */
export function tryRun(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [program, ...args] = argv
  if (!program) throw new Error('tryRun: empty argv')
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => {
      out.push(b)
      if (options.echo) process.stderr.write(b)
    })
    child.stderr.on('data', (b: Buffer) => {
      err.push(b)
      if (options.echo) process.stderr.write(b)
    })
    const timer = options.timeoutMs
      ? setTimeout(() => {
          err.push(Buffer.from(`\n(killed after ${Math.round(options.timeoutMs! / 1000)}s)`))
          child.kill('SIGKILL')
        }, options.timeoutMs)
      : undefined
    child.on('error', (e) => {
      clearTimeout(timer)
      resolve({ code: 127, stdout: '', stderr: e.message })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })
    })
    child.stdin.on('error', () => {}) // a program that exits before reading its stdin is not our error
    child.stdin.end(options.input ?? '')
  })
}

/** Runs argv and throws a StepError naming `step` when it exits non-zero. */
export async function run(step: string, argv: readonly string[], options: RunOptions = {}): Promise<string> {
  const r = await tryRun(argv, options)
  if (r.code !== 0) {
    throw new StepError(step, `\`${argv.slice(0, 4).join(' ')}${argv.length > 4 ? ' …' : ''}\` exited ${r.code}\n${tail(r.stderr || r.stdout)}`, options.fix)
  }
  return r.stdout
}

/** Polls `check` until it is true, at most `attempts` times, `delayMs` apart. */
export async function waitFor(check: () => Promise<boolean>, attempts: number, delayMs: number): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, delayMs))
  }
  return false
}

export const progress = (message: string): void => {
  process.stderr.write(`testbed: ${message}\n`)
}
