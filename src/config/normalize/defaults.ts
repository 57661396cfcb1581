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
} as const
