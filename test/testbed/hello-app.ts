import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { checkoutDir, docker, localDir } from './layout.js'
import { machineDockerConfig } from './registry.js'
import { run, tryRun } from './sh.js'
import type { Testbed } from './testbed-json.js'

/**
 * examples/hello as the demo and the benchmarks use it: build and push versions of it with the
 * machine's Docker, and write its deploy.yml for another set of testbed hosts.
 */
export const helloDir = join(checkoutDir, 'examples', 'hello')
export const helloConfig = join(helloDir, 'config', 'deploy.yml')

/** `registry/image` from the example's deploy.yml: what cutover pulls for `--version V`. */
export function helloRepository(): string {
  const doc = parseDocument(readFileSync(helloConfig, 'utf8')).toJS() as { image?: unknown; registry?: { server?: unknown } }
  if (typeof doc.image !== 'string' || typeof doc.registry?.server !== 'string') {
    throw new Error(`${helloConfig}: expected \`image\` and \`registry/server\` (the testbed registry)`)
  }
  return `${doc.registry.server}/${doc.image}`
}

/** The environment the CLI reads the registry password from (the example has no .kamal/secrets). */
export const helloEnv = (testbed: Testbed): NodeJS.ProcessEnv => ({ ...process.env, KAMAL_REGISTRY_PASSWORD: testbed.registry.password })

/**
 * A tag no earlier run used: `v1-20260601-120000` (UTC). Fresh tags make every run deploy
 * something new without removing what earlier runs left (cutover's retain_containers keeps the
 * hosts tidy), and they show that versions with `-` are fine (cutover reads labels, not names).
 */
export function freshVersion(prefix: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-')
  return `${prefix}-${stamp}`
}

/**
 * Builds `repository:version` FROM the testbed's base image and pushes it (registry login from
 * the testbed's Docker config, which `up` fills). The legacy builder: this machine's docker
 * client has no buildx (see DESIGN.md, Image builds).
 */
export async function buildAndPush(testbed: Testbed, repository: string, version: string): Promise<string> {
  const ref = `${repository}:${version}`
  const env = { ...process.env, DOCKER_BUILDKIT: '0' }
  await run(`building ${ref}`, [docker, '--config', machineDockerConfig, 'build', '-q', '--build-arg', `BASE=${testbed.baseImage}`, '--build-arg', `VERSION=${version}`, '-t', ref, helloDir], { env, timeoutMs: 300_000 })
  await run(`pushing ${ref}`, [docker, '--config', machineDockerConfig, 'push', '-q', ref], { timeoutMs: 300_000, fix: 'run `npm run testbed:up` (it logs the machine\'s engine in to the registry)' })
  return ref
}

/** Removes local tags this run made (the registry and the hosts keep what they need). */
export async function removeLocalTags(refs: readonly string[]): Promise<void> {
  if (refs.length) await tryRun([docker, 'rmi', ...refs], { timeoutMs: 60_000 })
}

/**
 * The example's deploy.yml with `servers/web/hosts` set to `hosts`, written under .testbed/
 * (comments and every other key kept). Returns its path. The settings digest does not depend on
 * the host list, so a host deployed through one of these files is `unchanged` through another.
 */
export function helloConfigFor(hosts: readonly string[], name: string): string {
  const doc = parseDocument(readFileSync(helloConfig, 'utf8'))
  doc.setIn(['servers', 'web', 'hosts'], doc.createNode([...hosts]))
  const dir = join(localDir, 'hello')
  mkdirSync(dir, { recursive: true })
  const path = resolve(dir, `${name}.yml`)
  writeFileSync(path, `# Made from examples/hello/config/deploy.yml (npm run demo / bench) for ${hosts.join(', ')}; rewritten each run.\n${doc.toString()}`)
  return path
}

/** The example's own hosts (`servers/web/hosts`), to tell whether it fits the running testbed. */
export function helloHosts(): string[] {
  const doc = parseDocument(readFileSync(helloConfig, 'utf8')).toJS() as { servers?: { web?: { hosts?: unknown } } }
  const hosts = doc.servers?.web?.hosts
  return Array.isArray(hosts) ? hosts.map(String) : []
}
