import type { RemoteHost } from '../../../src/remote/host.js'
import { fakeDockerCli } from '../helpers/fake-docker-cli.js'
import { runInSh, tempDir } from '../helpers/sh.js'
import { runningAppCanned, runningDesired, runningWant } from '../helpers/running-app.js'

// A host for deploy() whose commands run in a real sh with a fake docker CLI (as
// deploy-observe.test.ts): the app's web container runs v2 with the desired digest, and the proxy
// routes either to it (`unchanged`) or elsewhere (`work`: one switch; `switch fails`: it fails).
export const d = runningDesired
const want = runningWant
const canned = runningAppCanned

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

