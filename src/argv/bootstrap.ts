import type { Argv } from './shell-join.js'

/**
 * `cutover server bootstrap` as data: one probe of what a host has, a pure decision, and the
 * install command. As in Kamal's `server bootstrap`, Docker's install script is fetched with curl,
 * else wget, and piped to sh; unlike a plain `curl … | sh`, a fetch that fails (or a host with
 * neither tool) is an exit code of its own, so it can never be mistaken for a script that ran.
 */

/** What the probe prints, one `key=value` per line; values are single words. */
const PROBE = [
  'if command -v docker >/dev/null 2>&1; then echo docker=yes; else echo docker=no; fi',
  'if docker info >/dev/null 2>&1; then echo daemon=yes; else echo daemon=no; fi',
  'echo uid=$(id -u)',
  'echo user=$(id -un)',
  'if id -nG 2>/dev/null | tr " " "\\n" | grep -qx docker; then echo group=yes; else echo group=no; fi',
  'if command -v sudo >/dev/null 2>&1; then echo sudo=yes; else echo sudo=no; fi',
  'if command -v curl >/dev/null 2>&1; then echo curl=yes; else echo curl=no; fi',
  'if command -v wget >/dev/null 2>&1; then echo wget=yes; else echo wget=no; fi',
].join('\n')

export const probe = (): Argv => ['sh', '-c', PROBE]

export interface HostFacts {
  docker: boolean
  /** `docker info` answered: the daemon runs and this user may talk to it. */
  daemon: boolean
  uid: number
  user: string
  inDockerGroup: boolean
  sudo: boolean
  curl: boolean
  wget: boolean
}

export function parseProbe(stdout: string): HostFacts {
  const kv = new Map(stdout.split('\n').map((l) => l.trim().split('=', 2) as [string, string | undefined]).filter(([k, v]) => k !== '' && v !== undefined))
  const yes = (k: string) => kv.get(k) === 'yes'
  const uid = Number(kv.get('uid'))
  return { docker: yes('docker'), daemon: yes('daemon'), uid: Number.isInteger(uid) ? uid : -1, user: kv.get('user') ?? '?', inDockerGroup: yes('group'), sudo: yes('sudo'), curl: yes('curl'), wget: yes('wget') }
}

/** The exact fix for a user who is neither root nor in the docker group. */
export const groupFix = (user: string): string =>
  `add ${user} to the docker group: \`sudo usermod -aG docker ${user}\`, then reconnect (a new SSH login picks up the group) and run this again`

export type Decision =
  | { kind: 'untouched' }
  | { kind: 'install'; via: 'curl' | 'wget' }
  /** Docker is there but this user cannot use it: the message holds the fix. */
  | { kind: 'fail'; message: string }

/**
 * What to do with a host. A host with Docker is never touched (its engine may simply be stopped:
 * that is the host owner's business, said as a failure, not "fixed" by reinstalling). Without
 * Docker, installing needs root or sudo and curl or wget.
 */
export function decide(f: HostFacts, installUrl: string): Decision {
  const root = f.uid === 0
  if (f.docker) {
    if (f.daemon) return { kind: 'untouched' }
    if (!root && !f.inDockerGroup) return { kind: 'fail', message: `Docker is installed but ${f.user} may not use it (not root, not in the docker group); ${groupFix(f.user)}` }
    return { kind: 'fail', message: 'Docker is installed but its engine does not answer (`docker info` failed); start it (e.g. `systemctl start docker`) and run this again' }
  }
  if (!root && !f.sudo) {
    return { kind: 'fail', message: `Docker is not installed, and ${f.user} is neither root nor has sudo to install it; connect as root (ssh/user), or install Docker by hand: https://docs.docker.com/engine/install/` }
  }
  if (!f.curl && !f.wget) {
    return { kind: 'fail', message: `Docker is not installed, and neither curl nor wget is there to fetch ${installUrl}; install one of them (e.g. \`apt-get install -y curl\`), or install Docker by hand: https://docs.docker.com/engine/install/` }
  }
  return { kind: 'install', via: f.curl ? 'curl' : 'wget' }
}

/** What the install command exits with when no tool could fetch the script. */
export const FETCH_FAILED_EXIT = 97

/**
 * Fetch `url` into a private temporary file (curl first, then wget, each tried only if present),
 * say on stdout which one did, then run it with sh. The URL travels as a positional parameter.
 */
const INSTALL = [
  'set -u',
  'umask 077',
  'tmp=$(mktemp)',
  'trap \'rm -f -- "$tmp"\' EXIT',
  'if command -v curl >/dev/null 2>&1 && curl -fsSL -o "$tmp" -- "$1"; then echo "fetched-with=curl"',
  'elif command -v wget >/dev/null 2>&1 && wget -q -O "$tmp" -- "$1"; then echo "fetched-with=wget"',
  `else echo "could not fetch $1 with curl or wget" >&2; exit ${FETCH_FAILED_EXIT}; fi`,
  'sh "$tmp"',
].join('\n')

export const install = (url: string): Argv => ['sh', '-c', INSTALL, 'cutover-install-docker', url]

/** Which tool fetched the script, from the install command's stdout. */
export const fetchedWith = (stdout: string): 'curl' | 'wget' | undefined => (/^fetched-with=(curl|wget)$/m.exec(stdout)?.[1] as 'curl' | 'wget' | undefined)
