import type { Argv } from './shell-join.js'
import { oneLine } from './text.js'

/**
 * Kamal's audit log, `.kamal/<service>[-<dest>]-audit.log`: one line per event,
 * `[<UTC ISO time>] [<performer>] [<destination>] [<role>] <message>` (absent tags are left out).
 * The time comes from the caller: commands and the planner have no clock.
 */

export interface AuditTags {
  at: string
  performer: string
  destination: string | null
  role: string | null
}

export function auditLine(tags: AuditTags, message: string): string {
  const parts = [tags.at, tags.performer, tags.destination, tags.role].filter((t): t is string => t != null && t !== '')
  return `${parts.map((t) => `[${oneLine(t)}]`).join(' ')} ${oneLine(message)}`
}

const APPEND = 'mkdir -p -- "$(dirname -- "$2")" && printf \'%s\\n\' "$1" >> "$2"'

/** Append one line; the line and the path are positional parameters, never part of the script. */
export const append = (logPath: string, line: string): Argv => ['sh', '-c', APPEND, 'cutover-audit', oneLine(line), logPath]

/** The last lines of the log (Kamal's `kamal audit` shows 50). */
export const tail = (logPath: string, lines = 50): Argv => ['tail', '-n', String(lines), logPath]
