import { readFileSync } from 'node:fs'
import { testbedJsonPath } from './layout.js'

/** `.testbed/testbed.json`: what `up` made, for tests, the demo and the benchmarks. */
export interface Testbed {
  hosts: { name: string; address: string; sshPort: number; httpUrl: string }[]
  ssh: { user: string; keyPath: string; knownHostsPath: string }
  registry: { server: string; username: string; password: string; caCertPath: string }
  baseImage: string
  builder: TestbedBuilder
}

/** What image builds on the testbed use (see test/testbed/build-tools.ts, buildkitd.ts). */
export interface TestbedBuilder {
  /**
   * A DOCKER_CONFIG directory with buildx as a CLI plugin and the remote builder registered
   * (not current), and no registry login.
   */
  dockerConfig: string
  /** buildx built from its Go module. */
  buildx: { path: string; version: string }
  /** buildkitd on the testbed network, registered as the buildx `remote` builder `name`. */
  buildkitd: { version: string; endpoint: string; name: string; container: string }
  /** Debian's docker 20.10 client: no buildx, DOCKER_BUILDKIT=1 uses the engine's BuildKit. */
  legacyDocker: string
}

export function readTestbed(path = testbedJsonPath): Testbed {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Testbed
  } catch (e) {
    throw new Error(`testbed: cannot read ${path} (${(e as Error).message}): run \`npm run testbed:up\` first`)
  }
}
