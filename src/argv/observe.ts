import { shellJoin, type Argv } from './shell-join.js'
import * as docker from './docker.js'
import * as lock from './lock.js'
import * as proxy from './proxy.js'
import { LABEL_DESTINATION, LABEL_DIGEST, LABEL_ROLE, LABEL_SECRETS, LABEL_SERVICE, LABEL_SETTINGS, LABEL_VERSION, SETTINGS_KEY_PATH } from './names.js'

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
 * Two looks. A FULL look (what every plan that runs steps is made from; `cutover versions`,
 * `remove`) runs 4 docker CLI runs in parallel, since each one is a visible share of a deploy's
 * time on a small host (every run starts a Go program and asks the daemon):
 * - `docker ps` + ONE `docker container inspect` of every container on the host. That one
 *   inspect yields this service's containers, the `kamal-proxy` container (found by name among
 *   them, so no inspect of a name that may not exist), the image every container uses (pruning
 *   must keep those, whoever runs them) and, through the network a running container is on,
 *   whether the `kamal` network exists.
 * - `docker exec kamal-proxy kamal-proxy list`: the routes.
 * - `docker image ls --digests` of the repository: its tags for pruning, and the desired tag's
 *   image id and registry digests (no separate `docker image inspect`).
 * A FIRST look, deploy's first pass, only tells whether a host has anything to do, which depends
 * on its containers' states and labels and the routes alone: one formatted `docker ps` (no
 * inspect: creation times, image ids and health are not read) and the routes, 2 docker CLI runs.
 * No `docker version` and no `docker network inspect` in either: Docker that cannot answer fails
 * the containers probe with its own message, and a network that is not seen in use is ensured
 * (idempotently) by the plan where it is needed.
 *
 * Every probe is a shellJoin'd argv; the glue around them holds no values. Probes only read
 * (ps, inspect, ls, `kamal-proxy list`, a test of the lock dir); the temp dir is removed on exit.
 * Output that may hold secrets (container env, `docker inspect` of config) is never requested:
 * of every container's labels only the five we read are printed (other apps' labels can hold
 * anything). The one inspect asks the daemon once per container, inside one CLI run: a host with
 * many containers costs a few ms more, not a process each.
 */

export const MARK = '@@cutover'

export type ObserveQuery =
  /** `repository`: whose local tags are listed (pruning, and the desired tag's presence). */
  | { look: 'full'; repository: string; lockDir: string; pendingDir?: string }
  | { look: 'first'; lockDir: string; pendingDir?: string }

const label = (key: string): string => `${JSON.stringify(key)}:{{json (index . ${JSON.stringify(key)})}}`

/**
 * One JSON object per container: ids, name, state, image, network and five labels (no env, no
 * config). `.Id` is not a field of the typed struct Docker's CLI tries first, so the template
 * always runs on the raw JSON map, where a missing key is an error and `index` is safe: it reads
 * Health (only containers with a healthcheck have it) and the labels (null or absent on some
 * containers, e.g. kamal-proxy) without failing on the others. Checked against Docker's 20.10 and
 * 28.2 clients (`{{if .State.Health}}` broke every container without a healthcheck).
 */
export const CONTAINER_FORMAT =
  '{"id":{{json .Id}},"name":{{json .Name}},"state":{{json .State.Status}},"created":{{json .Created}},' +
  '"image":{{json .Image}},"ref":{{json .Config.Image}},"network":{{json .HostConfig.NetworkMode}},' +
  '"health":{{with index .State "Health"}}{{json (index . "Status")}}{{else}}null{{end}},' +
  `"labels":{{with index .Config "Labels"}}{${[LABEL_SERVICE, LABEL_ROLE, LABEL_DESTINATION, LABEL_VERSION, LABEL_DIGEST, LABEL_SETTINGS, LABEL_SECRETS].map(label).join(',')}}{{else}}null{{end}}}`
/**
 * A first look's line per container, from `docker ps` (the CLI's typed fields, no raw-map
 * fallback here): `.Label` of a container without labels is "". Names holds legacy link aliases
 * too (`other/alias`), comma-separated; Networks the names of its networks, comma-separated.
 */
export const LIST_FORMAT =
  '{"id":{{json .ID}},"names":{{json .Names}},"state":{{json .State}},"image":{{json .Image}},"networks":{{json .Networks}},' +
  `"labels":{${[LABEL_SERVICE, LABEL_ROLE, LABEL_DESTINATION, LABEL_VERSION, LABEL_DIGEST].map((k) => `${JSON.stringify(k)}:{{json (.Label ${JSON.stringify(k)})}}`).join(',')}}}`
/** One row per tag and registry digest (`<none>` when the tag has none). */
export const IMAGES_FORMAT = '{"id":{{json .ID}},"repository":{{json .Repository}},"tag":{{json .Tag}},"digest":{{json .Digest}}}'

export const SECTIONS = ['home', 'routes', 'containers', 'listing', 'images', 'lock', 'key', 'pending'] as const
export type Section = (typeof SECTIONS)[number]
/** Sections every look prints; a full look adds `containers` and `images`, a first look `listing`. */
export const COMMON_SECTIONS: readonly Section[] = ['home', 'routes', 'lock']

const quiet = (argv: Argv): string => `${shellJoin(argv)} 2>/dev/null`
const loud = (argv: Argv): string => `${shellJoin(argv)} 2>&1`

/**
 * `docker container inspect` of ids from `docker ps`. A container removed in between makes the
 * inspect exit non-zero while still printing every other one; it is gone, so its "No such
 * container" line is not a failure. Any other failure (or none said) fails the section: reading
 * it as "no containers" would boot duplicates. Docker 20.10 says `Error: No such container: ID`,
 * 28.x `Error response from daemon: No such container: ID`.
 */
function containersProbe(i: number): string {
  const ps = shellJoin(docker.ps())
  const inspect = shellJoin(docker.inspectContainers(CONTAINER_FORMAT, []))
  const err = `"$t/${i}.err"`
  return [
    `if ids=$(${ps} 2>&1); then`,
    `  [ -z "$ids" ] || { out=$(${inspect} $ids 2>${err}); rc=$?;`,
    `    if [ $rc -eq 0 ] || { [ -s ${err} ] && ! grep -qv 'No such container: ' ${err}; }; then [ -z "$out" ] || printf '%s\\n' "$out"; else cat ${err}; [ -s ${err} ] || echo "docker container inspect exited $rc"; false; fi; }`,
    `else printf '%s\\n' "$ids"; false; fi`,
  ].join('\n')
}

function probes(q: ObserveQuery, index: (s: Section) => number): Partial<Record<Section, string>> {
  return {
    home: 'pwd',
    routes: loud(proxy.list()),
    ...(q.look === 'full'
      ? {
          containers: containersProbe(index('containers')),
          images: quiet(docker.listImages(IMAGES_FORMAT, q.repository)),
          // The host's settings key (plan/settings.ts): read, never printed by us; absent on a host cutover never ran on.
          key: `${shellJoin(['cat', SETTINGS_KEY_PATH])} 2>/dev/null || true`,
        }
      : { listing: loud(docker.psList(LIST_FORMAT)) }),
    lock: shellJoin(lock.status(q.lockDir)),
    // Leftovers of an earlier run (plan/leftovers.ts): `<role>\t<its audit line>` per marker. A shell
    // loop, not a docker run, so even the first look sees them for free.
    ...(q.pendingDir ? { pending: `cd ${shellJoin([q.pendingDir])} 2>/dev/null && for f in *; do [ -f "$f" ] && printf '%s\t%s\n' "$f" "$(head -n 1 "$f")"; done; true` } : {}),
  }
}

/** The whole observation as one argv (`sh -c <script>`), ready for RemoteHost.exec. */
export function observe(q: ObserveQuery): Argv {
  return ['sh', '-c', observeScript(q)]
}

export function observeScript(q: ObserveQuery): string {
  const p = probes(q, (s) => SECTIONS.indexOf(s))
  const run = SECTIONS.flatMap((s, i) => (p[s] === undefined ? [] : [[s, i, p[s]] as const]))
  return [
    't=$(mktemp -d) || exit 1',
    'trap \'rm -rf "$t"\' EXIT',
    ...run.map(([s, i, probe]) => `{ ${probe}\nprintf '\\n${MARK}:end ${s} %s\\n' "$?"; } >"$t/${i}" &`),
    'wait',
    ...run.map(([s, i]) => `printf '${MARK}:begin ${s}\\n'; cat "$t/${i}"`),
    `printf '${MARK}:done\\n'`,
  ].join('\n')
}
