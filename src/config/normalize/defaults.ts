/** Kamal's documented root defaults (Kamal's configuration reference). */
export const DEFAULTS = {
  retainContainers: 5,
  deployTimeout: 30,
  drainTimeout: 30,
  readinessDelay: 7,
  primaryRole: 'web',
  secretsPath: '.kamal/secrets',
  hooksPath: '.kamal/hooks',
  sshUser: 'root',
  sshPort: 22,
  /**
   * cutover's (x-cutover.lock.stale_after): a holder refreshes its heartbeat every few seconds
   * (engine/lock-heartbeat.ts), so 2 minutes of silence is far beyond a slow host or a network
   * blip, yet short enough that a killed CI run does not block the next deploy for long.
   */
  lockStaleAfter: 120,
  /** Kamal's accessories join the app's network unless they name another. */
  network: 'kamal',
  /** Docker's own install script, as Kamal's `server bootstrap` fetches it. */
  dockerInstallUrl: 'https://get.docker.com',
} as const
