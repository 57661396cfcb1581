import { parseLockStatus, type LockState } from './lock.js'
import { LABEL_DESTINATION, LABEL_DIGEST, LABEL_ROLE, LABEL_SECRETS, LABEL_SERVICE, LABEL_SETTINGS, LABEL_VERSION, NETWORK, PROXY_CONTAINER } from './names.js'
import { COMMON_SECTIONS, MARK, type Section } from './observe.js'
import { parseProxyList, ProxyListError, type ProxyRouteState } from './proxy-list.js'

/** What one host looks like to the planner. Everything comes from labels and inspect, not names. */
export interface HostState {
  /**
   * `full`: everything below. `first` (deploy's first pass, from `docker ps`): enough to tell
   * whether the host has anything to do, no more: containers' `created` and `imageId` are '' and
   * `health` null, and `images` is null. Steps to run are planned from a full look only.
   */
  look: 'full' | 'first'
  /** The remote command's working directory (the SSH user's home): `.kamal` lives here. */
  home: string
  /**
   * The `kamal` network is known to exist: a running container is attached to it (Docker does
   * not remove a network with running containers). False means not seen, not absent: it is
   * ensured, idempotently, before anything needs it.
   */
  network: boolean
  /** The `kamal-proxy` container (`image` as it was run, e.g. `basecamp/kamal-proxy:v0.9.2`), or null. */
  proxy: { state: string; image: string } | null
  /** kamal-proxy's routes; null when it is not running or `list` failed (see routesError). */
  routes: ProxyRouteState[] | null
  routesError: string | null
  /**
   * EVERY container on the host, any service (or none, like kamal-proxy), any state: the planner
   * scopes by labels; a name held by anyone blocks `docker run`; pruning keeps any image in use.
   */
  containers: ObservedContainer[]
  /**
   * Local tags of the deployed image's repository, with the registry digests Docker recorded for
   * each; null when not listed (a first look): the planner then treats the image as absent and
   * prunes nothing.
   */
  images: LocalTag[] | null
  lock: LockState
  /**
   * The host's settings key (full look; plan/settings.ts), or null when the host has none yet
   * (or a first look). Hidden from JSON and inspection like a Secret.
   */
  settingsKey?: HiddenKey | null
  /** The key was read from the host (false: engine/observe.ts made a new one, which the plan writes). */
  settingsStored?: boolean
  /** Role → the audit line of a run that switched but did not finish its tidy-up (plan/leftovers.ts). */
  pending?: Record<string, string>
}

/** A value that prints as [REDACTED]; only `reveal()` gives it. */
export interface HiddenKey {
  reveal(): string
}

export const hiddenKey = (value: string): HiddenKey => ({ reveal: () => value, toJSON: () => '[REDACTED]', toString: () => '[REDACTED]' }) as HiddenKey

export interface LocalTag {
  /** Image content id (`sha256:…`). */
  id: string
  repository: string
  /** `<none>` for an image known here only by digest. */
  tag: string
  /** Registry manifest digests (`sha256:…`) of this image in this repository; often empty for a local build. */
  digests: string[]
}

export interface ObservedContainer {
  /** Full 64-hex id. */
  id: string
  name: string
  /** Docker's state: created, running, paused, restarting, removing, exited or dead. */
  state: string
  /** RFC 3339 creation time, as Docker reports it (sorts lexically within one host); '' in a first look. */
  created: string
  /** Image content id (`sha256:…`) the container was created from; '' in a first look. */
  imageId: string
  /** Healthcheck status when the image has one; null in a first look. */
  health: string | null
  /** '' when the container has no service label (kamal-proxy, other tools' containers). */
  service: string
  role: string
  /** '' when the container has no destination (Kamal labels it `destination=`). */
  destination: string
  /** Our labels; null on containers Kamal (or an older tool) created. */
  version: string | null
  digest: string | null
  /** Our settings labels (plan/settings.ts); absent in a first look and on containers that lack them. */
  settings?: string | null
  secrets?: string | null
  /** The image as it was run (`repository:tag`), and the network it was run on: what names another service's container in a message (plan/claims.ts). */
  ref?: string
  network?: string
}

export class ObservationError extends Error {
  override name = 'ObservationError'
}

interface Raw {
  lines: string[]
  code: number
}

/** Split the marked output into sections. Throws when it is not complete observe output. */
function sections(stdout: string): Map<Section, Raw> {
  const lines = stdout.split('\n')
  if (!lines.some((l) => l === `${MARK}:done`)) {
    throw new ObservationError(`observe output is incomplete or not ours (no "${MARK}:done" marker); it began: ${JSON.stringify(stdout.slice(0, 200))}`)
  }
  const out = new Map<Section, Raw>()
  let current: { name: Section; lines: string[] } | null = null
  for (const line of lines) {
    const begin = new RegExp(`^${MARK}:begin (\\S+)$`).exec(line)
    const end = new RegExp(`^${MARK}:end (\\S+) (\\d+)$`).exec(line)
    if (begin) {
      current = { name: begin[1] as Section, lines: [] }
    } else if (end && current && end[1] === current.name) {
      out.set(current.name, { lines: current.lines.filter((l) => l.trim() !== ''), code: Number(end[2]) })
      current = null
    } else if (current) {
      current.lines.push(line)
    }
  }
  const containers: Section = out.has('listing') ? 'listing' : 'containers'
  for (const s of [...COMMON_SECTIONS, containers]) if (!out.has(s)) throw new ObservationError(`observe output has no complete "${s}" section`)
  return out
}

function json<T>(section: Section, line: string): T {
  try {
    return JSON.parse(line) as T
  } catch {
    throw new ObservationError(`observe: unreadable line in the "${section}" section: ${JSON.stringify(line.slice(0, 200))}`)
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** A container as observe printed it, plus what only the host-level readings need. */
interface Inspected {
  container: ObservedContainer
  /** The image as it was run (`repository:tag`), for kamal-proxy's. */
  ref: string
  /** HostConfig.NetworkMode: the network it was run on. */
  network: string
}

/** A container line's id and five labels, as both formats print them. */
function common(section: Section, line: string) {
  const raw = json<Record<string, unknown>>(section, line)
  const labels = raw.labels && typeof raw.labels === 'object' ? (raw.labels as Record<string, unknown>) : {}
  const id = str(raw.id)
  if (!/^[0-9a-f]{64}$/.test(id)) throw new ObservationError(`observe: a container line has no valid id: ${JSON.stringify(line.slice(0, 200))}`)
  // `docker ps` prints a missing label as "": our own labels are then absent (null), as in inspect.
  const ours = (v: unknown): string | null => (section === 'listing' && v === '' ? null : strOrNull(v))
  return {
    raw,
    base: { id, service: str(labels[LABEL_SERVICE]), role: str(labels[LABEL_ROLE]), destination: str(labels[LABEL_DESTINATION]), version: ours(labels[LABEL_VERSION]), digest: ours(labels[LABEL_DIGEST]) },
  }
}

/** A line of a full look's inspect. */
function inspected(line: string): Inspected {
  const { raw, base } = common('containers', line)
  const labels = raw.labels && typeof raw.labels === 'object' ? (raw.labels as Record<string, unknown>) : {}
  return {
    container: { ...base, settings: strOrNull(labels[LABEL_SETTINGS]), secrets: strOrNull(labels[LABEL_SECRETS]), name: str(raw.name).replace(/^\//, ''), state: str(raw.state), created: str(raw.created), imageId: str(raw.image), health: strOrNull(raw.health), ref: str(raw.ref), network: str(raw.network) },
    ref: str(raw.ref),
    network: str(raw.network),
  }
}

/** A line of a first look's `docker ps`: the container's own name is the one without a `/` (others are link aliases). */
function listed(line: string): Inspected {
  const { raw, base } = common('listing', line)
  const names = str(raw.names).split(',')
  const networks = str(raw.networks).split(',')
  const network = networks.includes(NETWORK) ? NETWORK : (networks[0] ?? '')
  return {
    container: { ...base, name: names.find((n) => !n.includes('/')) ?? names[0] ?? '', state: str(raw.state), created: '', imageId: '', health: null, ref: str(raw.image), network },
    ref: str(raw.image),
    network,
  }
}

/** `image ls --digests` prints a row per tag and digest: one LocalTag per tag, its digests gathered. */
function localTags(lines: string[]): LocalTag[] {
  const tags = new Map<string, LocalTag>()
  for (const line of lines) {
    const o = json<Record<string, unknown>>('images', line)
    const t = { id: str(o.id), repository: str(o.repository), tag: str(o.tag) }
    const key = JSON.stringify([t.id, t.repository, t.tag])
    const entry = tags.get(key) ?? { ...t, digests: [] }
    tags.set(key, entry)
    const digest = str(o.digest)
    if (digest.startsWith('sha256:') && !entry.digests.includes(digest)) entry.digests.push(digest)
  }
  return [...tags.values()]
}

/** Parse observe's stdout. Throws ObservationError on garbage or when Docker is unusable. */
export function parseObservation(stdout: string): HostState {
  const s = sections(stdout)
  const get = (name: Section): Raw => s.get(name) as Raw

  // Docker that cannot answer (no daemon, no permission, no docker) fails this probe with its own words.
  const look = s.has('listing') ? 'first' : 'full'
  const containersRaw = get(look === 'first' ? 'listing' : 'containers')
  if (containersRaw.code !== 0) {
    throw new ObservationError(`docker is not usable on this host: listing containers failed: ${containersRaw.lines.slice(0, 3).join(' ') || `exit code ${containersRaw.code}`}`)
  }
  const home = get('home').lines[0]?.trim() ?? ''
  if (!home.startsWith('/')) throw new ObservationError(`observe: the working directory is not an absolute path: ${JSON.stringify(home)}`)

  const seen = containersRaw.lines.map(look === 'first' ? listed : inspected)
  const proxyContainer = seen.find((c) => c.container.name === PROXY_CONTAINER)
  const proxy = proxyContainer ? { state: proxyContainer.container.state, image: proxyContainer.ref } : null

  let routes: ProxyRouteState[] | null = null
  let routesError: string | null = null
  if (proxy?.state === 'running') {
    const r = get('routes')
    if (r.code !== 0) routesError = `kamal-proxy list failed (exit ${r.code}): ${r.lines.slice(0, 3).join(' ')}`
    else {
      try {
        routes = parseProxyList(r.lines.join('\n'))
      } catch (e) {
        if (!(e instanceof ProxyListError)) throw e
        routesError = e.message
      }
    }
  }

  const imagesRaw = s.get('images')
  return {
    look,
    home,
    network: seen.some((c) => c.network === NETWORK && c.container.state === 'running'),
    proxy,
    routes,
    routesError,
    containers: seen.map((c) => c.container),
    images: look === 'first' || !imagesRaw ? null : imagesRaw.code !== 0 ? [] : localTags(imagesRaw.lines),
    lock: parseLockStatus(get('lock').lines.join('\n')),
    settingsKey: readKey(s.get('key')),
    settingsStored: readKey(s.get('key')) !== null,
    pending: Object.fromEntries((s.get('pending')?.lines ?? []).flatMap((l) => { const tab = l.indexOf('\t'); return tab > 0 ? [[l.slice(0, tab), l.slice(tab + 1)]] : [] })),
  }
}

/** 64 hex or nothing: anything else (a file someone edited) is treated as no key, and a new one is written. */
function readKey(raw: Raw | undefined): HiddenKey | null {
  const line = raw?.lines[0]?.trim() ?? ''
  return /^[0-9a-f]{64}$/.test(line) ? hiddenKey(line) : null
}
