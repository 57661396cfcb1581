import { shellJoin, type Argv } from './argv.js'
import * as docker from './docker.js'
import * as lock from './lock.js'
import * as proxy from './proxy.js'
import { LABEL_SERVICE, NETWORK, PROXY_CONTAINER } from './names.js'

/**
 * OBSERVE: one read-only round trip per host. A single `sh -c` script runs every probe in
 * parallel (each into its own temp file), then prints them in a fixed order between markers:
 *
 *   @@cutover:begin <section>
 *   …output…
 *   @@cutover:end <section> <exit code>
 *   …
 *   @@cutover:done
 *
 * There is no `docker version` probe: Docker that cannot answer fails the containers probe with
 * its own message, and each docker CLI run is a visible share of an unchanged deploy's time on a
 * small host (on the testbed, with both hosts observing at once, the script took a median 194 ms
 * without that probe against 248 ms with it).
 *
 * Every probe is a shellJoin'd argv; the glue around them holds no values. Probes only read
 * (inspect, ls, `kamal-proxy list`, a test of the lock dir); the temp dir is removed on exit.
 * Output that may hold secrets (container env, `docker inspect` of config) is never requested.
 */

export const MARK = '@@cutover'

export interface ObserveQuery {
  /** Every container of this service is observed (all roles and destinations): the planner
   * scopes by labels, and image pruning must know what any of them still uses. */
  service: string
  /** `repository:version` to check for locally. */
  image: string
  /** The image's repository, whose local tags are listed for pruning. */
  repository: string
  lockDir: string
}

/**
 * One JSON object per container: only ids, names, states and labels (no env, no config).
 * `.Id` is not a field of the typed struct Docker's CLI tries first, so the template always runs
 * on the raw JSON map, where a missing key is an error: `index` reads Health, which only
 * containers with a healthcheck have, without failing on the others (measured on Docker 20.10
 * and 28 clients: `{{if .State.Health}}` broke every container without a healthcheck).
 */
export const CONTAINER_FORMAT =
  '{"id":{{json .Id}},"name":{{json .Name}},"state":{{json .State.Status}},"created":{{json .Created}},' +
  '"image":{{json .Image}},"health":{{with index .State "Health"}}{{json (index . "Status")}}{{else}}null{{end}},' +
  '"labels":{{json .Config.Labels}}}'
export const PROXY_FORMAT = '{"state":{{json .State.Status}},"image":{{json .Config.Image}}}'
export const IMAGE_FORMAT = '{"id":{{json .Id}},"repoDigests":{{json .RepoDigests}}}'
export const IMAGES_FORMAT = '{"id":{{json .ID}},"repository":{{json .Repository}},"tag":{{json .Tag}}}'

export const SECTIONS = ['home', 'network', 'proxy', 'routes', 'containers', 'image', 'images', 'lock'] as const
export type Section = (typeof SECTIONS)[number]

const quiet = (argv: Argv): string => `${shellJoin(argv)} 2>/dev/null`
const loud = (argv: Argv): string => `${shellJoin(argv)} 2>&1`

function probes(q: ObserveQuery): Record<Section, string> {
  const ids = shellJoin(docker.psByLabels({ [LABEL_SERVICE]: q.service }))
  const inspect = shellJoin(docker.inspectContainers(CONTAINER_FORMAT, []))
  return {
    home: 'pwd',
    network: quiet(docker.networkInspect(NETWORK, '{{json .Name}}')),
    proxy: quiet(docker.inspectContainers(PROXY_FORMAT, [PROXY_CONTAINER])),
    routes: loud(proxy.list()),
    // A container removed between ps and inspect makes inspect fail: list and inspect once more.
    // Any other failure fails the section: reading it as "no containers" would boot duplicates.
    containers: `rc=0; i=0; while :; do if ids=$(${ids} 2>&1); then [ -z "$ids" ] && break; out=$(${inspect} $ids 2>&1) && { printf '%s\\n' "$out"; break; }; else out=$ids; fi; i=$((i+1)); [ $i -lt 2 ] || { printf '%s\\n' "$out"; rc=1; break; }; done; [ $rc -eq 0 ]`,
    image: quiet(docker.inspectImage(IMAGE_FORMAT, q.image)),
    images: quiet(docker.listImages(IMAGES_FORMAT, q.repository)),
    lock: shellJoin(lock.status(q.lockDir)),
  }
}

/** The whole observation as one argv (`sh -c <script>`), ready for RemoteHost.exec. */
export function observe(q: ObserveQuery): Argv {
  return ['sh', '-c', observeScript(q)]
}

export function observeScript(q: ObserveQuery): string {
  const p = probes(q)
  return [
    't=$(mktemp -d) || exit 1',
    'trap \'rm -rf "$t"\' EXIT',
    ...SECTIONS.map((s, i) => `{ ${p[s]}; printf '\\n${MARK}:end ${s} %s\\n' "$?"; } >"$t/${i}" &`),
    'wait',
    ...SECTIONS.map((s, i) => `printf '${MARK}:begin ${s}\\n'; cat "$t/${i}"`),
    `printf '${MARK}:done\\n'`,
  ].join('\n')
}
