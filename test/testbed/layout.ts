import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Where the testbed keeps things, and its fixed addressing.
 *
 * - cache: built artifacts (host rootfs, kamal-proxy binary and image, busybox base). Outside
 *   the checkout so that a fresh clone (CI) reuses them.
 * - state: the running testbed's secrets and keys (SSH key pair, CA, htpasswd, registry
 *   password, known_hosts). Outside the checkout so that `up` from another checkout or
 *   worktree reuses the hosts that already run instead of replacing them.
 * - .testbed/ in the checkout that ran `up`: testbed.json and dockerd.log (git-ignored).
 */
export const cacheDir = resolve(process.env.CUTOVER_CACHE ?? join(homedir(), '.cache', 'cutover'))
export const stateDir = resolve(process.env.CUTOVER_TESTBED_STATE ?? join(homedir(), '.local', 'state', 'cutover-testbed'))
export const checkoutDir = resolve(import.meta.dirname, '..', '..')
export const localDir = join(checkoutDir, '.testbed')
export const testbedJsonPath = join(localDir, 'testbed.json')

/**
 * One user-defined Docker network with fixed addresses. Both the machine's engine (through the
 * network's bridge) and every host's inner engine (a container on that network) reach the
 * registry at the same IP, so one name and one certificate serve both. Tests send traffic
 * only to these containers and to 127.0.0.1.
 */
export const network = { name: 'cutover-testbed', subnet: '10.213.77.0/24', gateway: '10.213.77.1' }
export const registryIp = '10.213.77.2'
export const registryServer = `${registryIp}:5000`
export const registryUser = 'testbed'
export const registryContainer = 'cutover-testbed-registry'
/**
 * Up to 12 hosts (a fleet test, the benchmark's 10); `npm test` runs on the default 2 (TESTBED_HOSTS).
 * Addresses 10.213.77.11–22, HTTP ports 18081–18092.
 */
export const maxHosts = 12
export const hostName = (n: number): string => `vm${n}`
export const hostContainer = (n: number): string => `cutover-testbed-vm${n}`
export const hostIp = (n: number): string => `10.213.77.${10 + n}`
/** Each host's port 80 (where kamal-proxy will listen) is published on loopback here. */
export const hostHttpPort = (n: number): number => 18080 + n

export const kamalProxyVersion = 'v0.9.2'
export const kamalProxyImage = `basecamp/kamal-proxy:${kamalProxyVersion}`
/** The oldest Go that builds kamal-proxy v0.9.2 (its go.mod says `go 1.25.5`). */
export const minGo = [1, 25, 5] as const

/**
 * buildx and BuildKit, built from their Go modules (Debian packages neither). These are the
 * newest releases whose dependencies the Go module proxy serves here: buildx v0.38.x and
 * buildkit v0.34.x need module versions it refuses (403 "not available").
 */
export const buildxVersion = 'v0.37.2'
export const buildkitVersion = 'v0.33.1'
/** Both go.mod files say `go 1.26.8`. */
export const minGoBuildkit = [1, 26, 8] as const
/** A BuildKit daemon on the testbed network: the buildx `remote` builder that can export a cache. */
export const buildkitdContainer = 'cutover-testbed-buildkitd'
export const buildkitdIp = '10.213.77.3'
export const buildkitdPort = 1234
export const buildxBuilderName = 'cutover-testbed'
/** Debian's docker 20.10 client (package docker.io), which has no buildx: the fallback path. */
export const legacyDocker = '/usr/bin/docker'

/** Every container and network the testbed makes carries this label, so `down` finds them all. */
export const label = 'dev.cutover.testbed'

/** The `docker` client first on PATH talks to the machine's engine. */
export const docker = process.env.TESTBED_DOCKER ?? 'docker'

export function hostCount(): number {
  const raw = process.env.TESTBED_HOSTS ?? '2'
  checkHostCount(Number(raw), `TESTBED_HOSTS=${raw}`)
  return Number(raw)
}

export function checkHostCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > maxHosts) throw new Error(`testbed: ${what} is not a host count: use 1 to ${maxHosts}`)
}
