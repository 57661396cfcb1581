import type { Argv } from './shell-join.js'

/**
 * `docker login`/`logout` argv, for this machine and for hosts alike. The password is never
 * here: it goes to `--password-stdin`. No server means Docker Hub, as for docker itself.
 */
export const login = (server: string | undefined, username: string, docker = 'docker'): Argv => [
  docker,
  'login',
  ...(server ? [server] : []),
  '--username',
  username,
  '--password-stdin',
]

export const logout = (server: string | undefined, docker = 'docker'): Argv => [docker, 'logout', ...(server ? [server] : [])]
