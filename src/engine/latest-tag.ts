import * as docker from '../argv/docker.js'
import type { Logger } from '../log.js'
import type { Hosts } from './hosts.js'

export { latestTagName } from '../argv/names.js'

/**
 * After every boot group succeeded, tag the deployed image as the latest on every host of the run
 * (Kamal does it once, after the whole boot). Kamal's "current container" is the one running the
 * latest-tagged image, so the tag moves only when the version runs everywhere; a failed run leaves
 * it on the version that last ran everywhere. A failure here is a warning: the version serves, and
 * the next deploy tags again.
 */
export async function tagLatest(
  image: string,
  latest: string,
  hosts: readonly string[],
  deps: { pool: Hosts; logger: Logger; redact: (t: string) => string; hostLine?: (host: string) => Logger },
): Promise<void> {
  await Promise.all(
    hosts.map(async (name) => {
      try {
        const host = await deps.pool.host(name)
        const r = await host.exec(docker.tag(image, latest), { timeoutMs: 60_000 })
        if (r.code !== 0) throw new Error(r.stderr.trim().split('\n')[0] || `exit ${r.code}`)
        // Said per host, through the host's own log (the Action's log group for that host), never as a run-level line.
        deps.hostLine?.(name).info(`tagged ${image} as ${latest}`)
      } catch (e) {
        deps.logger.warn(`[${name}] could not tag ${image} as ${latest}: ${deps.redact(e instanceof Error ? e.message : String(e))}; the next deploy tags it`)
      }
    }),
  )
}
