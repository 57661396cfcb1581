import { appendFileSync } from 'node:fs'
import { resolve } from 'node:path'

export type CommandTrace = (host: string, command: string) => void

/**
 * `CUTOVER_TRACE_FILE=FILE`: append every command string sent over SSH to FILE, one JSON object
 * per line, `{"host":…,"command":…}` (stdin, such as a registry password or an env file's
 * contents, is not part of a command and is not traced). For tests and debugging: the end-to-end
 * tests read it to prove that no secret ever travels in a command.
 *
 * Secrets never belong in a command string; should one slip in, the trace holds `[redacted]` in
 * its place, never the value (so the file is safe to keep), and the line gets `"redacted":true`
 * so a test reading the trace still sees the leak. The file is created with mode 0600.
 */
export function commandTraceFromEnv(env: Readonly<Record<string, string | undefined>>, cwd: string, redact: (text: string) => string): CommandTrace | undefined {
  const file = env.CUTOVER_TRACE_FILE
  if (!file) return undefined
  const path = resolve(cwd, file)
  return (host, command) => {
    const safe = redact(command)
    const line = { host, command: safe, ...(safe !== command ? { redacted: true } : {}) }
    appendFileSync(path, `${JSON.stringify(line)}\n`, { mode: 0o600 })
  }
}
