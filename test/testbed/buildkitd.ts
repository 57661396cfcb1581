import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { dockerInDockerFlags, ensureContainer } from './containers.js'
import { buildkitdContainer, buildkitdIp, buildkitdPort, network, registryServer, stateDir } from './layout.js'
import type { TestbedSecrets } from './secrets.js'
import { StepError, progress, waitFor } from './sh.js'

/** Where buildkitd listens, as buildx's `remote` driver takes it. */
export const buildkitdEndpoint = `tcp://${buildkitdIp}:${buildkitdPort}`

/**
 * buildkitd's configuration: the OCI worker (runc, from Debian's docker.io in the host image)
 * on overlayfs, no containerd worker, and trust in the testbed registry's CA, so that it pulls
 * the base image from and pushes to the registry the way a docker-container builder on a CI
 * runner does with a public one.
 */
const buildkitdToml = `# Written by the cutover testbed (test/testbed/buildkitd.ts).
[worker.oci]
  enabled = true
  snapshotter = "overlayfs"

[worker.containerd]
  enabled = false

[registry."${registryServer}"]
  ca = ["/etc/buildkit/ca.crt"]
`

function writeIfChanged(path: string, content: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return
  writeFileSync(`${path}.tmp-${process.pid}`, content, { mode: 0o644 })
  renameSync(`${path}.tmp-${process.pid}`, path)
}

const tcpOpen = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2_000 })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('timeout', () => (s.destroy(), resolve(false)))
    s.once('error', () => resolve(false))
  })

/**
 * A BuildKit daemon built from its Go module, running in a testbed container on the testbed
 * network, for buildx's `remote` driver. It is what makes cache export testable here: the
 * engine's own `docker` driver cannot export a cache, and the docker-container driver needs
 * `--privileged` (which fails on this machine) and the moby/buildkit image (not pullable here).
 * It runs with the same capability set as the testbed hosts' engines, since runc needs them.
 *
 * The endpoint is plain TCP: it is reachable only on the testbed's private bridge network
 * (from this machine and the testbed's containers), never published.
 */
export async function ensureBuildkitd(hostImage: string, buildkitdBin: string, secrets: TestbedSecrets): Promise<string> {
  const configDir = join(stateDir, 'buildkitd')
  mkdirSync(configDir, { recursive: true })
  writeIfChanged(join(configDir, 'buildkitd.toml'), buildkitdToml)
  writeIfChanged(join(configDir, 'ca.crt'), `${secrets.caCert}\n`)
  // The container is replaced when its configuration changes (mounted in, so not in the spec).
  // The binary's path names its version, and build-tools.ts checks the binary is that release.
  const inputs = createHash('sha256').update(buildkitdToml).update(secrets.caCert).digest('hex').slice(0, 16)
  const started = await ensureContainer({
    name: buildkitdContainer,
    role: 'buildkitd',
    image: hostImage,
    flags: [
      '--hostname', 'buildkitd', '--network', network.name, '--ip', buildkitdIp, '--init',
      ...dockerInDockerFlags,
      // BuildKit's state (snapshots, cache) lives in memory, like the hosts' engines; bounded.
      '--tmpfs', '/var/lib/buildkit:exec,size=4g',
      '-v', `${configDir}:/etc/buildkit:ro`,
      '-v', `${buildkitdBin}:/usr/local/bin/buildkitd:ro`,
      '--label', `dev.cutover.testbed.inputs=${inputs}`,
    ],
    command: ['buildkitd', '--addr', `tcp://0.0.0.0:${buildkitdPort}`, '--config', '/etc/buildkit/buildkitd.toml'],
  })
  if (started) progress(`buildkitd: started at ${buildkitdEndpoint}`)
  if (!(await waitFor(() => tcpOpen(buildkitdIp, buildkitdPort), 60, 500))) {
    throw new StepError('starting buildkitd', `nothing answers on ${buildkitdIp}:${buildkitdPort} after 30s`, `see \`docker logs ${buildkitdContainer}\``)
  }
  return buildkitdEndpoint
}
