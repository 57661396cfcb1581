import { constants } from 'node:os'
import type { Client, ClientChannel } from 'ssh2'
import { shellJoin, type Argv } from '../argv/shell-join.js'
import type { ExecOptions, ExecResult, RemoteHost, StreamOptions } from './host.js'
import { RemoteError } from './errors.js'

/** Bounds the channels open at once on one connection (sshd's MaxSessions is 10 by default). */
class Slots {
  private waiting: (() => void)[] = []
  private used = 0
  constructor(private readonly size: number) {}
  async take(): Promise<void> {
    if (this.used < this.size) {
      this.used++
      return
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }
  give(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.used--
  }
}

/** Exit status of a command that a signal ended, the way a shell reports it (128 + number). */
const signalStatus = (signal: string): number => 128 + ((constants.signals as Record<string, number>)[signal.startsWith('SIG') ? signal : `SIG${signal}`] ?? 0)

const duration = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`)

/** How a command appears in errors: its first words (secrets never travel in argv). */
export const shortCommand = (argv: Argv): string => `\`${argv.slice(0, 3).join(' ')}${argv.length > 3 ? ' …' : ''}\``

/**
 * Writes stdin to a private temporary file next to the target, sets the mode, then renames it
 * into place: the content is never readable by others, not even briefly, and a reader never
 * sees half a file. Directories made on the way are private too (umask 077).
 */
const uploadScript = [
  'set -eu',
  'umask 077',
  'mkdir -p -- "$(dirname -- "$1")"',
  'tmp=$(mktemp -- "$1.XXXXXX")',
  'trap \'rm -f -- "$tmp"\' EXIT',
  'cat > "$tmp"',
  'chmod "$2" "$tmp"',
  'mv -f -- "$tmp" "$1"',
  'trap - EXIT',
].join('\n')

export interface SshHostOptions {
  commandTimeoutMs: number
  maxChannels: number
  /** Sees every command string sent (tests use it to prove no secret is ever in one). */
  onCommand?: (host: string, command: string) => void
}

/** A RemoteHost over one ssh2 connection; every command goes through shellJoin. */
export class SshHost implements RemoteHost {
  private readonly slots: Slots
  private closed = false
  /** Why the connection ended, when it ended with an error (a keepalive timeout: the host stopped answering). */
  private lost: string | undefined

  constructor(
    readonly name: string,
    private readonly client: Client,
    private readonly options: SshHostOptions,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.slots = new Slots(options.maxChannels)
    client.once('close', () => {
      this.closed = true
    })
    client.on('error', (err: Error & { level?: string }) => {
      this.lost ??= err.level === 'client-timeout' ? 'the host stopped answering SSH keepalives (a dead or unreachable peer)' : err.message
    })
  }

  async exec(argv: Argv, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) throw new RemoteError(`${this.name}: cannot run ${shortCommand(argv)}: the SSH connection is closed${this.lost ? ` (${this.lost})` : ''}`)
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs
    // sshd ignores "signal" requests on sessions without a terminal, so closing the channel
    // would leave the command running. The host's own `timeout` (coreutils or busybox) kills
    // it, and its whole process group, when the time is up.
    const command = shellJoin(['timeout', '-s', 'KILL', String(Math.max(1, Math.ceil(timeoutMs / 1000))), ...argv])
    await this.slots.take()
    try {
      this.options.onCommand?.(this.name, command)
      return await this.run(command, argv, options.stdin, timeoutMs)
    } finally {
      this.slots.give()
    }
  }

  private run(command: string, argv: Argv, stdin: string | Buffer | undefined, timeoutMs: number): Promise<ExecResult> {
    const timedOut = () => new RemoteError(`${this.name}: ${shortCommand(argv)} did not finish within ${duration(timeoutMs)} and was stopped`)
    // Measured before the request: the host's clock for `timeout` starts later than ours.
    const begun = performance.now()
    return new Promise((resolve, reject) => {
      const started = (err: Error | undefined, channel: ClientChannel) => {
        if (err) return reject(new RemoteError(`${this.name}: cannot start ${shortCommand(argv)}: ${err.message}`))
        const out: Buffer[] = []
        const errOut: Buffer[] = []
        let code: number | undefined
        // A backstop for a host that does not answer at all: give up waiting a little after
        // the remote `timeout` should have fired.
        const backstop = setTimeout(() => {
          channel.close()
          reject(timedOut())
        }, timeoutMs + 5_000)
        channel.on('data', (b: Buffer) => out.push(b))
        channel.stderr.on('data', (b: Buffer) => errOut.push(b))
        channel.on('exit', (status: number | null, signal?: string) => {
          code = status ?? (signal ? signalStatus(signal) : undefined)
        })
        channel.on('close', () => {
          clearTimeout(backstop)
          if (code === 137 && performance.now() - begun >= timeoutMs) return reject(timedOut())
          if (code === undefined) {
            const why = this.lost ? `the SSH connection was lost: ${this.lost}` : 'the connection dropped?'
            return reject(new RemoteError(`${this.name}: ${shortCommand(argv)} ended without an exit status (${why})`))
          }
          resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') })
        })
        channel.end(stdin ?? '')
      }
      try {
        this.client.exec(command, started)
      } catch (e) {
        reject(new RemoteError(`${this.name}: cannot start ${shortCommand(argv)}: ${(e as Error).message}`))
      }
    })
  }

  /**
   * No `timeout` wrapper here: the command runs until it ends or `signal` closes the channel
   * (`logs --follow` until Ctrl-C; an interactive console until its user leaves). With a pty,
   * sshd hangs the command up when the channel closes.
   */
  async stream(argv: Argv, o: StreamOptions): Promise<number> {
    if (this.closed) throw new RemoteError(`${this.name}: cannot run ${shortCommand(argv)}: the SSH connection is closed${this.lost ? ` (${this.lost})` : ''}`)
    const command = shellJoin(argv)
    this.options.onCommand?.(this.name, command)
    return new Promise((resolve, reject) => {
      const started = (err: Error | undefined, channel: ClientChannel): void => {
        if (err) return reject(new RemoteError(`${this.name}: cannot start ${shortCommand(argv)}: ${err.message}`))
        let code: number | undefined
        const abort = (): void => {
          channel.close()
        }
        o.signal?.addEventListener('abort', abort, { once: true })
        channel.on('data', (b: Buffer) => o.onStdout(b))
        channel.stderr.on('data', (b: Buffer) => o.onStderr(b))
        channel.on('exit', (status: number | null, signal?: string) => {
          code = status ?? (signal ? signalStatus(signal) : undefined)
        })
        channel.on('close', () => {
          o.signal?.removeEventListener('abort', abort)
          o.input?.unpipe(channel)
          // Closed by us (Ctrl-C) before the command said its status: as a shell reports SIGINT.
          resolve(code ?? (o.signal?.aborted ? 130 : 255))
        })
        if (o.input) o.input.pipe(channel)
        else channel.end()
      }
      try {
        if (o.pty) this.client.exec(command, { pty: { rows: o.pty.rows, cols: o.pty.cols, term: o.pty.term } }, started)
        else this.client.exec(command, started)
      } catch (e) {
        reject(new RemoteError(`${this.name}: cannot start ${shortCommand(argv)}: ${(e as Error).message}`))
      }
    })
  }

  async upload(content: string | Buffer, path: string, mode: number): Promise<void> {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new RemoteError(`${this.name}: upload ${path}: mode ${mode} is not a file mode`)
    const r = await this.exec(['sh', '-c', uploadScript, 'cutover-upload', path, mode.toString(8).padStart(4, '0')], { stdin: content })
    if (r.code !== 0) throw new RemoteError(`${this.name}: cannot write ${path}: ${r.stderr.trim() || `exit ${r.code}`}`)
  }

  async close(): Promise<void> {
    await this.onClose()
  }
}
