import { parseLockStatus, type LockState } from './lock.js'
import { LABEL_DESTINATION, LABEL_DIGEST, LABEL_ROLE, LABEL_SERVICE, LABEL_VERSION } from './names.js'
import { MARK, SECTIONS, type Section } from './observe.js'
import { parseProxyList, ProxyListError, type ProxyRouteState } from './proxy-list.js'

/** What one host looks like to the planner. Everything comes from labels and inspect, not names. */
export interface HostState {
  /** The remote command's working directory (the SSH user's home): `.kamal` lives here. */
  home: string
  /** Whether the `kamal` network exists. */
  network: boolean
  /** The `kamal-proxy` container, or null when there is none. */
  proxy: { state: string; image: string } | null
  /** kamal-proxy's routes; null when it is not running or `list` failed (see routesError). */
  routes: ProxyRouteState[] | null
  routesError: string | null
  /** Every container labelled with this service, any role, destination or state. */
  containers: ObservedContainer[]
  /** The desired `repository:version` if present locally. */
  image: { id: string; repoDigests: string[] } | null
  /** Local tags of the image's repository (for pruning). */
  images: { id: string; repository: string; tag: string }[]
  lock: LockState
}

export interface ObservedContainer {
  /** Full 64-hex id. */
  id: string
  name: string
  /** Docker's state: created, running, paused, restarting, removing, exited or dead. */
  state: string
  /** RFC 3339 creation time, as Docker reports it (sorts lexically within one host). */
  created: string
  /** Image content id (`sha256:…`) the container was created from. */
  imageId: string
  /** Healthcheck status when the image has one. */
  health: string | null
  labels: Record<string, string>
  service: string
  role: string
  /** '' when the container has no destination (Kamal labels it `destination=`). */
  destination: string
  /** Our labels; null on containers Kamal (or an older tool) created. */
  version: string | null
  digest: string | null
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
  for (const s of SECTIONS) if (!out.has(s)) throw new ObservationError(`observe output has no complete "${s}" section`)
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

function container(line: string): ObservedContainer {
  const raw = json<Record<string, unknown>>('containers', line)
  const labels: Record<string, string> = {}
  if (raw.labels && typeof raw.labels === 'object') {
    for (const [k, v] of Object.entries(raw.labels as Record<string, unknown>)) labels[k] = str(v)
  }
  const id = str(raw.id)
  if (!/^[0-9a-f]{64}$/.test(id)) throw new ObservationError(`observe: a container line has no valid id: ${JSON.stringify(line.slice(0, 200))}`)
  return {
    id,
    name: str(raw.name).replace(/^\//, ''),
    state: str(raw.state),
    created: str(raw.created),
    imageId: str(raw.image),
    health: typeof raw.health === 'string' ? raw.health : null,
    labels,
    service: labels[LABEL_SERVICE] ?? '',
    role: labels[LABEL_ROLE] ?? '',
    destination: labels[LABEL_DESTINATION] ?? '',
    version: labels[LABEL_VERSION] ?? null,
    digest: labels[LABEL_DIGEST] ?? null,
  }
}

/** Parse observe's stdout. Throws ObservationError on garbage or when Docker is unusable. */
export function parseObservation(stdout: string): HostState {
  const s = sections(stdout)
  const get = (name: Section): Raw => s.get(name) as Raw

  // Docker that cannot answer (no daemon, no permission, no docker) fails this probe with its own words.
  const containersRaw = get('containers')
  if (containersRaw.code !== 0) {
    throw new ObservationError(`docker is not usable on this host: listing containers failed: ${containersRaw.lines.slice(0, 3).join(' ') || `exit code ${containersRaw.code}`}`)
  }
  const home = get('home').lines[0]?.trim() ?? ''
  if (!home.startsWith('/')) throw new ObservationError(`observe: the working directory is not an absolute path: ${JSON.stringify(home)}`)

  const proxyRaw = get('proxy')
  const proxyObj = proxyRaw.code === 0 && proxyRaw.lines[0] ? json<Record<string, unknown>>('proxy', proxyRaw.lines[0]) : null
  const proxy = proxyObj ? { state: str(proxyObj.state), image: str(proxyObj.image) } : null

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

  const imageRaw = get('image')
  const imageObj = imageRaw.code === 0 && imageRaw.lines[0] ? json<Record<string, unknown>>('image', imageRaw.lines[0]) : null

  const imagesRaw = get('images')
  const images = imagesRaw.code !== 0 ? [] : imagesRaw.lines.map((l) => json<Record<string, unknown>>('images', l)).map((o) => ({ id: str(o.id), repository: str(o.repository), tag: str(o.tag) }))

  return {
    home,
    network: get('network').code === 0,
    proxy,
    routes,
    routesError,
    containers: containersRaw.lines.map(container),
    image: imageObj ? { id: str(imageObj.id), repoDigests: Array.isArray(imageObj.repoDigests) ? imageObj.repoDigests.map(str) : [] } : null,
    images,
    lock: parseLockStatus(get('lock').lines.join('\n')),
  }
}
