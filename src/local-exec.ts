import { spawn } from 'node:child_process'
import type { Argv } from './argv/shell-join.js'
import type { ExecResult } from './remote/host.js'

export interface LocalExecOptions {
  cwd?: string
  /** Added to (and overriding) this process's environment. Secrets travel here, never in argv. */
  env?: Readonly<Record<string, string | undefined>>
  stdin?: string | Buffer
  timeoutMs?: number
  /** Called with each complete output line as it arrives (long builds show progress). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
  /**
   * Stops the program (SIGTERM, as Ctrl-C would: `docker build` then cancels the build) and
   * rejects: nobody needs its result any more (e.g. the CI gate failed mid-build).
   */
  signal?: AbortSignal
}

/** A function that runs one argv on this machine. Injected so callers can wrap or fake it. */
export type LocalExec = (argv: Argv, options?: LocalExecOptions) => Promise<ExecResult>

/**
 * Why not @actions/exec: every local run here needs to stop its program. git and docker login
 * get a timeout (a hung credential prompt or registry must not hang the job), and the image
 * build is also stopped when the CI gate goes red (AbortSignal). @actions/exec 3.x takes neither
 * a timeout nor a signal and never hands out the child process, so a run it started cannot be
 * killed; racing its promise against a timer would leave the program running and keep Node (and
 * the job) alive. It fits none of cutover's local runs, so this is the one local exec, used by the
 * CLI and the Action alike.
 *
 * Runs argv without a shell (so nothing in it is ever interpreted) and collects its output.
 * Never rejects for a non-zero exit: callers decide what a failure means. Rejects only when
 * the program cannot be started (ENOENT), the timeout kills it, or `signal` stops it.
 */
export const execLocal: LocalExec = (argv, options = {}) =>
  new Promise((resolve, reject) => {
    const [program, ...args] = argv
    if (program === undefined) return reject(new Error('execLocal: empty argv'))
    const what = argv.slice(0, 3).join(' ')
    const stopped = (): Error => new Error(`${what} was stopped: ${reasonOf(options.signal)}`)
    if (options.signal?.aborted) return reject(stopped())
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    const partial = { stdout: '', stderr: '' }
    const collect = (stream: 'stdout' | 'stderr', sink: Buffer[]) => (chunk: Buffer) => {
      sink.push(chunk)
      if (!options.onLine) return
      const text = partial[stream] + chunk.toString('utf8')
      const lines = text.split('\n')
      partial[stream] = lines.pop() ?? ''
      for (const line of lines) options.onLine(line, stream)
    }
    child.stdout.on('data', collect('stdout', out))
    child.stderr.on('data', collect('stderr', err))
    let timedOut = false
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true
          child.kill('SIGKILL')
        }, options.timeoutMs)
      : undefined
    let aborted = false
    const onAbort = () => {
      aborted = true
      child.kill('SIGTERM')
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const cleanUp = () => {
      if (timer) clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanUp()
      reject(e.code === 'ENOENT' ? new Error(`${program} is not installed or not on PATH (needed for: ${argv.slice(0, 3).join(' ')})`) : e)
    })
    child.on('close', (code, signal) => {
      cleanUp()
      for (const stream of ['stdout', 'stderr'] as const) {
        if (options.onLine && partial[stream]) options.onLine(partial[stream], stream)
      }
      if (timedOut) return reject(new Error(`${what} did not finish within ${options.timeoutMs} ms and was killed`))
      if (aborted) return reject(stopped())
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      })
    })
    child.stdin.on('error', () => {
      // The program may exit without reading stdin (EPIPE); its exit code tells the story.
    })
    child.stdin.end(options.stdin ?? '')
  })

const reasonOf = (signal: AbortSignal | undefined): string => {
  const r: unknown = signal?.reason
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'cancelled'
}
