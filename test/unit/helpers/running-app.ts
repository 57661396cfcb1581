import { desiredContainer } from '../../../src/plan/container.js'
import { desired } from '../plan/fixtures.js'
import type { Canned } from './fake-docker-cli.js'
import { kamalProxyTable } from './proxy-table.js'

/**
 * What the fake docker CLI answers on a host where the app's web container runs v2 with the
 * desired digest next to kamal-proxy. `routedTo` is the proxy's target for app-web: the desired
 * container's alias (`${runningWant.alias}:80`) makes the host unchanged, anything else means work.
 */
export const runningDesired = desired()
export const runningWant = desiredContainer(runningDesired)
const ID = 'a'.repeat(64)
const PROXY_ID = 'c'.repeat(64)
const line = (o: object) => JSON.stringify({ created: '2025-01-01T00:00:00Z', health: null, network: 'kamal', ...o })
const labels = { service: 'app', role: 'web', destination: '', 'cutover.version': 'v2', 'cutover.digest': runningWant.digest }

export const runningAppCanned = (routedTo: string): Canned => ({
  listing: {
    out: [
      JSON.stringify({ id: ID, names: 'app-web-v2', state: 'running', image: 'registry.test:5000/app:v2', networks: 'kamal', labels }),
      JSON.stringify({ id: PROXY_ID, names: 'kamal-proxy', state: 'running', image: 'basecamp/kamal-proxy:v0.9.2', networks: 'kamal', labels: { service: '', role: '', destination: '', 'cutover.version': '', 'cutover.digest': '' } }),
    ].join('\n') + '\n',
  },
  ps: { out: `${ID}\n${PROXY_ID}\n` },
  containers: {
    out: [
      line({ id: ID, name: '/app-web-v2', state: 'running', image: runningDesired.imageId, ref: 'registry.test:5000/app:v2', labels }),
      line({ id: PROXY_ID, name: '/kamal-proxy', state: 'running', image: 'sha256:p', ref: 'basecamp/kamal-proxy:v0.9.2', labels: null }),
    ].join('\n') + '\n',
  },
  list: { out: kamalProxyTable([['app-web', 'app.test', '/', routedTo, 'running', 'no']]) },
  images: { out: `{"id":"${runningDesired.imageId}","repository":"registry.test:5000/app","tag":"v2","digest":"<none>"}\n` },
})
