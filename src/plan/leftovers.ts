import { pendingDirectory } from '../argv/names.js'
import { removeMarker, writeMarker } from '../argv/pending.js'
import type { DesiredRole } from './desired.js'
import type { Step } from './steps.js'

/**
 * Cleanup converges. The work after a switch (stop the old container, remove old ones, prune
 * images, the audit line) is best effort: a cut connection or a failing `docker stop` must not
 * fail a deploy whose new version already serves. So that the next run can see such leftovers
 * cheaply, even in its first look (no docker call: a shell loop over one directory), a run writes
 * a marker per role before it switches, holding the audit line it will append, and removes it
 * as its last step only when every tidy-up step succeeded (the executor skips `clearPending`
 * otherwise). A later run that finds a marker while the role is otherwise unchanged finishes the
 * tidy-up, appends the stored audit line, clears the marker, and says what it finished.
 */
export const markerPath = (d: DesiredRole): string => `${pendingDirectory(d)}/${d.role}`

export const markPending = (d: DesiredRole, auditLine: string): Step => ({ kind: 'markPending', exec: { argv: writeMarker(markerPath(d), auditLine) } })

export const clearPending = (d: DesiredRole): Step => ({ kind: 'clearPending', bestEffort: true, exec: { argv: removeMarker(markerPath(d)) } })

/** Steps that tidy up after a switch: what a finishing run reports it did. */
const TIDY: ReadonlySet<Step['kind']> = new Set(['stop', 'remove', 'removeImages', 'pruneImages', 'audit'])
export const tidySteps = (steps: readonly Step[]): Step[] => steps.filter((s) => TIDY.has(s.kind))
