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

/** The whole surface the engine sees of a server. Only `remote/` implements it (with ssh2). */
export interface RemoteHost {
  readonly name: string
  exec(argv: Argv, options?: ExecOptions): Promise<ExecResult>
  upload(content: string | Buffer, path: string, mode: number): Promise<void>
  close(): Promise<void>
}
