import type { Argv } from '../argv/shell-join.js'

export interface ExecOptions {
  /** Bytes fed to the command's stdin (secrets travel here, never in argv). */
  stdin?: string | Buffer
  timeoutMs?: number
}

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

/** A command whose output is shown as it comes (`app logs --follow`, `app exec --interactive`). */
export interface StreamOptions {
  /** Ask sshd for a terminal (`ssh -t`): what an interactive command (a console, a shell) needs. */
  pty?: { rows: number; cols: number; term: string } | undefined
  /** Fed to the command as it arrives (the local terminal, for an interactive command). */
  input?: NodeJS.ReadableStream | undefined
  onStdout(chunk: Buffer): void
  onStderr(chunk: Buffer): void
  /** Ends the command: the channel is closed (with a terminal, sshd then hangs the command up). */
  signal?: AbortSignal | undefined
}

/** The whole surface the engine sees of a server. Only `remote/` implements it (with ssh2). */
export interface RemoteHost {
  readonly name: string
  exec(argv: Argv, options?: ExecOptions): Promise<ExecResult>
  /** Runs without a time limit, streaming its output; resolves with its exit code. Only the ssh2 host has it. */
  stream?(argv: Argv, options: StreamOptions): Promise<number>
  upload(content: string | Buffer, path: string, mode: number): Promise<void>
  close(): Promise<void>
}
