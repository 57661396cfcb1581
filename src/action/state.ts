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
  /** Set when the main step reached its end (success or a reported failure). Unset after a cancel or kill: the post step then reports. */
  mainDone: 'main-done',
  /** The GitHub Deployment's id, for the post step to settle when main did not. */
  deployment: 'deployment-id',
  /** `true` once the run went for the hosts (about to take the deploy lock): from then on a host may have changed. */
  reached: 'reached-hosts',
  /** The commit and the GitHub environment the run deploys, as main resolved them. */
  sha: 'sha',
  environment: 'environment',
  /** When main started (ms since the epoch): the post step's summary says how long the run went. */
  started: 'started-at',
} as const
