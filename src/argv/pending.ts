import type { Argv } from './shell-join.js'
import { oneLine } from './text.js'

/**
 * A role's leftover marker (plan/leftovers.ts): written before the switch with the audit line the
 * run will append, removed once every tidy-up step after the switch succeeded. The line and the
 * path are positional parameters, never part of the script.
 */
const WRITE = 'mkdir -p -- "$(dirname -- "$2")" && printf \'%s\\n\' "$1" > "$2"'

export const writeMarker = (path: string, line: string): Argv => ['sh', '-c', WRITE, 'cutover-pending', oneLine(line), path]

export const removeMarker = (path: string): Argv => ['rm', '-f', '--', path]
