import { readFileSync } from 'node:fs'
import { testbedJsonPath } from './layout.js'

/** `.testbed/testbed.json`: what `up` made, for tests, the demo and the benchmarks. */
export interface Testbed {
  hosts: { name: string; address: string; sshPort: number; httpUrl: string }[]
  ssh: { user: string; keyPath: string; knownHostsPath: string }
  registry: { server: string; username: string; password: string; caCertPath: string }
  baseImage: string
}

export function readTestbed(path = testbedJsonPath): Testbed {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Testbed
  } catch (e) {
    throw new Error(`testbed: cannot read ${path} (${(e as Error).message}): run \`npm run testbed:up\` first`)
  }
}
