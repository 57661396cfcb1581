/**
 * Names of the state the main step saves for the post step (the runner hands it back as
 * STATE_<name>). One bundle serves both steps: `isPost` being set tells them apart.
 */
export const STATE = {
  isPost: 'isPost',
  /** The id on the deploy lock's `run:` line (see newRunId). */
  runId: 'run-id',
  /** `maybe-held` from just before taking the lock until it is released; then `free`. The last write wins. */
  lock: 'lock',
  /** The PR of a preview command: its deploy lock is the preview service's, not production's. */
  pr: 'pr-number',
  /** Set when the main step reached its end (success or a reported failure). */
  mainDone: 'main-done',
} as const
