import type { HostState, LocalTag, ObservedContainer } from '../../../src/argv/observation.js'
import { DEFAULT_PROXY_BOOT, DEFAULT_ROUTE } from '../../../src/argv/proxy.js'
import type { ProxyRouteState } from '../../../src/argv/proxy-list.js'
import { containerName, proxyServiceName } from '../../../src/argv/names.js'
import { desiredContainer } from '../../../src/plan/container.js'
import type { DesiredRole } from '../../../src/plan/desired.js'

export const SECRET = 'pw-SENTINEL-3f9a'
export const IMAGE_V1 = `sha256:${'1'.repeat(64)}`
export const IMAGE_V2 = `sha256:${'2'.repeat(64)}`

export function desired(over: Partial<DesiredRole> = {}): DesiredRole {
  return {
    service: 'app',
    role: 'web',
    destination: null,
    host: 'vm1',
    repository: 'registry.test:5000/app',
    version: 'v2',
    imageId: IMAGE_V2,
    registry: { server: 'registry.test:5000', username: 'deploy', password: SECRET },
    env: { clear: { MODE: 'prod' }, secret: { DB_PASSWORD: `db-${SECRET}` } },
    volumes: [],
    labels: {},
    options: {},
    logging: null,
    cmd: null,
    proxy: { route: { ...DEFAULT_ROUTE, hosts: ['app.test'] } },
    proxyBoot: DEFAULT_PROXY_BOOT,
    deployTimeoutS: 30,
    drainTimeoutS: 30,
    stopTimeoutS: null,
    strategy: 'blue-green',
    retain: 5,
    run: { performer: 'ci@example.com', at: '2025-01-02T03:04:05Z', nonce: '0123456789abcdef0123' },
    ...over,
  }
}

/** The v1 of the same role: what a previous deploy left behind. */
export const desiredV1 = (over: Partial<DesiredRole> = {}): DesiredRole => desired({ version: 'v1', imageId: IMAGE_V1, ...over })

let seq = 0
const hexId = (n: number): string => n.toString(16).padStart(64, 'a')

/** A container as a previous cutover run of `d` would have left it. */
export function deployed(d: DesiredRole, over: Partial<ObservedContainer> = {}): ObservedContainer {
  const want = desiredContainer(d)
  seq += 1
  return {
    id: hexId(seq),
    name: containerName(d, d.version),
    state: 'running',
    created: `2025-01-01T00:00:${String(seq % 60).padStart(2, '0')}.5Z`,
    imageId: d.imageId,
    health: null,
    service: d.service,
    role: d.role,
    destination: d.destination ?? '',
    version: d.version,
    digest: want.digest,
    ...over,
  }
}

/** A container Kamal itself deployed: Kamal's labels only, no version or digest label. */
export function kamalContainer(version: string, over: Partial<ObservedContainer> = {}): ObservedContainer {
  seq += 1
  return {
    id: hexId(seq), name: `app-web-${version}`, state: 'running', created: '2024-12-01T00:00:00Z', imageId: IMAGE_V1, health: null,
    service: 'app', role: 'web', destination: '', version: null, digest: null,
    ...over,
  }
}

export function routeTo(d: DesiredRole, target: string): ProxyRouteState {
  return { service: proxyServiceName(d), hosts: ['app.test'], pathPrefixes: ['/'], targets: [target], state: 'running', tls: false }
}

export const aliasTarget = (d: DesiredRole): string => `${desiredContainer(d).alias}:80`

/** A local tag of the app's repository, as `docker image ls --digests` shows it. */
export const tag = (tag: string, id: string, digests: string[] = []): LocalTag => ({ id, repository: 'registry.test:5000/app', tag, digests })

/** A prepared host: network and a running proxy, nothing of the app. */
export function host(over: Partial<HostState> = {}): HostState {
  return {
    look: 'full',
    home: '/home/deploy',
    network: true,
    proxy: { state: 'running', image: DEFAULT_PROXY_BOOT.image },
    routes: [],
    routesError: null,
    containers: [],
    images: [],
    lock: { held: false },
    ...over,
  }
}

export const bareHost = (): HostState => host({ network: false, proxy: null, routes: null })
