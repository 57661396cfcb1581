import { execFileSync } from 'node:child_process'
import { describe, it } from 'vitest'

/**
 * The real docker CLIs some unit tests drive (with no daemon, or a fake one):
 * - `docker` on PATH: what a developer or a CI job runs (28.x on this machine);
 * - Debian's `/usr/bin/docker` (20.10, package docker.io): the client on the testbed's hosts,
 *   which every command cutover sends to a host meets. The testbed installs it (`npm test` brings
 *   the testbed up), so a machine that ran `npm test` has both.
 *
 * Where one is missing these tests cannot run. Outside CI they are skipped (and reported as
 * skipped); under CI=true that is a failure naming the missing client, since a skipped check
 * proves nothing and CI is where both clients must be.
 */
export const PATH_DOCKER = 'docker'
export const DEBIAN_DOCKER = '/usr/bin/docker'

export interface DockerClient {
  /** The binary's path (a bare name is looked up on PATH). */
  bin: string
  /** `docker --version`'s line. */
  version: string
}

const strict = process.env.CI === 'true'

/** The client `bin` names, or why it cannot be run here. */
export function findDockerClient(bin: string): DockerClient | { bin: string; missing: string } {
  const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim()
  let path = bin
  if (!bin.includes('/')) {
    try {
      path = run(['sh', '-c', 'command -v "$1"', 'sh', bin])
    } catch {
      return { bin, missing: 'not on PATH' }
    }
  }
  try {
    return { bin: path, version: run([path, '--version']) }
  } catch (e) {
    return { bin, missing: (e as Error).message.split('\n')[0] ?? 'cannot run it' }
  }
}

const howToGet = (bin: string): string =>
  bin === DEBIAN_DOCKER ? 'install Debian\'s docker.io (`apt-get install docker.io`, which `npm run testbed:up` does)' : 'put a docker client on PATH (Debian\'s docker.io package installs one)'

const missingMessage = (bin: string, why: string): string => `the docker client ${bin} cannot be run here (${why}); under CI=true these tests need it: ${howToGet(bin)}`

/**
 * One test per missing client, in the calling describe: under CI=true it fails with what is
 * missing and how to get it; elsewhere it is skipped, so the gap shows in the report.
 */
export function reportMissingDockerClients(missing: readonly { bin: string; missing: string }[]): void {
  for (const m of missing) {
    const title = `needs the docker client ${m.bin}`
    if (strict) {
      it(title, () => {
        throw new Error(missingMessage(m.bin, m.missing))
      })
    } else {
      it.skip(`${title} (not here: ${m.missing})`, () => undefined)
    }
  }
}

/** Splits `bins` into the clients found (one per distinct version) and the ones missing. */
export function dockerClients(bins: readonly string[]): { found: DockerClient[]; missing: { bin: string; missing: string }[] } {
  const all = bins.map(findDockerClient)
  const found = all.filter((c): c is DockerClient => 'version' in c).filter((c, i, list) => list.findIndex((o) => o.version === c.version) === i)
  const missing = all.filter((c): c is { bin: string; missing: string } => 'missing' in c)
  return { found, missing }
}

/**
 * `describe(name, body)` when the docker client `bin` runs here. Otherwise: under CI=true, one
 * failing test that says what is missing; elsewhere the block is skipped.
 */
export function describeWithDocker(name: string, body: () => void, bin: string = PATH_DOCKER): void {
  const client = findDockerClient(bin)
  if ('version' in client) describe(name, body)
  else if (strict) describe(name, () => reportMissingDockerClients([client]))
  else describe.skip(`${name} (skipped: ${client.bin} cannot be run here)`, body)
}
