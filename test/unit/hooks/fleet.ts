import type { RemoteHost } from '../../../src/remote/host.js'
import { desiredContainer } from '../../../src/plan/container.js'
import { fakeDockerCli, type Canned } from '../helpers/fake-docker-cli.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { desired } from '../plan/fixtures.js'

// A host for deploy() whose commands run in a real sh with a fake docker CLI (as
// deploy-observe.test.ts): the app's web container runs v2 with the desired digest, and the proxy
// routes either to it (`unchanged`) or elsewhere (`work`: one switch; `switch fails`: it fails).
export const d = desired()
const want = desiredContainer(d)
const ID = 'a'.repeat(64)
const PROXY_ID = 'c'.repeat(64)
const line = (o: object) => JSON.stringify({ created: '2025-01-01T00:00:00Z', health: null, network: 'kamal', ...o })
const labels = { service: 'app', role: 'web', destination: '', 'cutover.version': 'v2', 'cutover.digest': want.digest }
const canned = (routedTo: string): Canned => ({
  listing: {
    out: [
      JSON.stringify({ id: ID, names: 'app-web-v2', state: 'running', image: 'registry.test:5000/app:v2', networks: 'kamal', labels }),
      JSON.stringify({ id: PROXY_ID, names: 'kamal-proxy', state: 'running', image: 'basecamp/kamal-proxy:v0.9.2', networks: 'kamal', labels: { service: '', role: '', destination: '', 'cutover.version': '', 'cutover.digest': '' } }),
    ].join('\n') + '\n',
  },
  ps: { out: `${ID}\n${PROXY_ID}\n` },
  containers: {
    out: [
      line({ id: ID, name: '/app-web-v2', state: 'running', image: d.imageId, ref: 'registry.test:5000/app:v2', labels }),
      line({ id: PROXY_ID, name: '/kamal-proxy', state: 'running', image: 'sha256:p', ref: 'basecamp/kamal-proxy:v0.9.2', labels: null }),
    ].join('\n') + '\n',
  },
  list: { out: kamalProxyTable([['app-web', 'app.test', '/', routedTo, 'running', 'no']]) },
  images: { out: `{"id":"${d.imageId}","repository":"registry.test:5000/app","tag":"v2","digest":"<none>"}\n` },
})

export type Situation = 'unchanged' | 'work' | 'switch fails'

/** `dockerDir`: the fake docker CLI's directory; its calls.log holds every docker argv the host ran. */
export function fakeHost(situation: Situation, name = 'vm1'): { host: RemoteHost; home: string; calls: () => string[]; dockerDir: string } {
  const home = tempDir('home')
  const docker = fakeDockerCli(canned(situation === 'unchanged' ? `${want.alias}:80` : 'some-other-container:80'))
  const host: RemoteHost = {
    name,
    exec: async (argv) => {
      if (situation === 'switch fails' && argv.join(' ').includes('kamal-proxy deploy')) return { code: 1, stdout: '', stderr: 'target failed to become healthy' }
      return runInSh(argv, home, docker.env)
    },
    upload: async () => undefined,
    close: async () => undefined,
  }
  return { host, home, calls: docker.calls, dockerDir: docker.env.FAKE_DOCKER_DIR! }
}

