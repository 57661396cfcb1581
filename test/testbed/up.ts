import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { ensureHostImage, ensureBusyboxBase, ensureKamalProxyTar } from './artifacts.js'
import { ensureAct } from './act.js'
import { ensureBuildTools } from './build-tools.js'
import { buildkitdEndpoint, ensureBuildkitd } from './buildkitd.js'
import { ensureBuildxConfig } from './buildx-config.js'
import { ensureNetwork } from './containers.js'
import { ensureEngine, ensurePackages } from './deps.js'
import { ensureHost } from './hosts.js'
import { buildkitdContainer, buildkitVersion, buildxBuilderName, buildxVersion, checkHostCount, hostCount, hostHttpPort, hostIp, hostName, legacyDocker, localDir, maxHosts, registryServer, registryUser, stateDir, testbedJsonPath } from './layout.js'
import { withLock } from './lock.js'
import { ensurePushed, ensureRegistry } from './registry.js'
import { ensureSecrets, type TestbedSecrets } from './secrets.js'
import { progress } from './sh.js'
import type { Testbed } from './testbed-json.js'

/** Writes `content` unless the file already holds it (keeps warm runs from touching files). */
function writeIfChanged(path: string, content: string, mode: number): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, content, { mode })
  renameSync(tmp, path)
}

/**
 * known_hosts is shared by every checkout. An `up` for fewer hosts (the default two) must not drop
 * the lines of a host it left running (vm3, brought up by TESTBED_HOSTS=3 elsewhere): it replaces
 * the lines of the hosts it ensured and keeps the other testbed hosts' lines as they were.
 */
export function mergeKnownHosts(existing: string, ensured: readonly string[], lines: readonly string[]): string {
  const testbedHosts = new Set(Array.from({ length: maxHosts }, (_, i) => hostIp(i + 1)))
  const kept = existing.split('\n').filter((l) => {
    const address = l.split(' ')[0] ?? ''
    return testbedHosts.has(address) && !ensured.includes(address)
  })
  return `${[...lines, ...kept].join('\n')}\n`
}

/** Hosts vm1..vmN running (those already running as specified are reused), their keys in known_hosts. */
async function startHosts(count: number, hostImage: string, secrets: TestbedSecrets, kamalProxyTar: string): Promise<Testbed['hosts']> {
  const hostNumbers = Array.from({ length: count }, (_, i) => i + 1)
  const keys = await Promise.all(hostNumbers.map((n) => ensureHost(n, hostImage, secrets, kamalProxyTar)))
  writeIfChanged(secrets.knownHostsPath, mergeKnownHosts(existsSync(secrets.knownHostsPath) ? readFileSync(secrets.knownHostsPath, 'utf8') : '', hostNumbers.map(hostIp), keys.flat()), 0o644)
  return hostNumbers.map((n) => ({ name: hostName(n), address: hostIp(n), sshPort: 22, httpUrl: `http://127.0.0.1:${hostHttpPort(n)}` }))
}

/**
 * A bigger fleet for one run (a fleet test, the benchmark): vm1..vmN, starting only the hosts not
 * already running. The rest of the testbed must be up (`up()`, as the e2e tier's global set-up
 * does). testbed.json is NOT rewritten, so every other test keeps its default small set of hosts.
 * Extra hosts stay up (an idle host is one container with sshd and dockerd) until `testbed:down`.
 */
export async function ensureHosts(count: number): Promise<Testbed['hosts']> {
  checkHostCount(count, `ensureHosts(${count})`)
  return withLock(join(stateDir, 'up.lock'), async () => {
    const secrets = await ensureSecrets()
    const [hostImage, kamalProxyTar] = await Promise.all([ensureHostImage(), ensureKamalProxyTar()])
    await ensureNetwork()
    return startHosts(count, hostImage, secrets, kamalProxyTar)
  })
}

/** Brings the testbed up (idempotent: what already runs as specified is reused). */
export async function up(): Promise<Testbed> {
  const count = hostCount()
  const started = Date.now()
  await ensurePackages()
  await ensureEngine()
  const testbed = await withLock(join(stateDir, 'up.lock'), async () => {
    const secrets = await ensureSecrets()
    // Independent builds overlap: the host image (mmdebstrap, mostly downloads) and the Go
    // builds (kamal-proxy, then buildkitd and buildx: CPU-bound, so one after the other).
    const [hostImage, [kamalProxyTar, tools]] = await Promise.all([
      ensureHostImage(),
      // act (the act tier's workflow engine) last: nothing else waits for it.
      ensureKamalProxyTar().then(async (tar) => [tar, await ensureBuildTools(), await ensureAct()] as const),
    ])
    await ensureNetwork()
    await ensureRegistry(hostImage, secrets)
    const [hosts, base, dockerConfig] = await Promise.all([
      startHosts(count, hostImage, secrets, kamalProxyTar),
      ensureBusyboxBase().then(async (b) => (await ensurePushed(b.ref, secrets), b)),
      ensureBuildkitd(hostImage, tools.buildkitd, secrets).then((endpoint) => ensureBuildxConfig(tools.buildx, endpoint)),
    ])
    return {
      hosts,
      ssh: { user: 'root', keyPath: secrets.sshKeyPath, knownHostsPath: secrets.knownHostsPath },
      registry: { server: registryServer, username: registryUser, password: secrets.registryPassword, caCertPath: secrets.caCertPath },
      baseImage: base.ref,
      builder: {
        dockerConfig,
        buildx: { path: tools.buildx, version: buildxVersion },
        buildkitd: { version: buildkitVersion, endpoint: buildkitdEndpoint, name: buildxBuilderName, container: buildkitdContainer },
        legacyDocker,
      },
    } satisfies Testbed
  })
  mkdirSync(localDir, { recursive: true })
  writeIfChanged(testbedJsonPath, `${JSON.stringify(testbed, null, 2)}\n`, 0o600)
  progress(`up in ${((Date.now() - started) / 1000).toFixed(1)}s: ${testbed.hosts.map((h) => h.name).join(', ')}; wrote ${testbedJsonPath}`)
  return testbed
}

if (process.argv[1] === import.meta.filename) {
  up().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
}
