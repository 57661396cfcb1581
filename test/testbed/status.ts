import { SshPool, fanOut, loadKeys } from '../../src/remote/index.js'
import { prefixedLogger } from '../../src/log.js'
import { kamalProxyImage } from './layout.js'
import type { Testbed } from './testbed-json.js'

/** One line per host, read over SSH with strict host keys (through src/remote, as the engine will). */
export async function hostStatus(testbed: Testbed): Promise<string[]> {
  const pool = new SshPool({ keys: loadKeys({ paths: [testbed.ssh.keyPath] }), knownHosts: testbed.ssh.knownHostsPath, user: testbed.ssh.user, connectTimeoutMs: 10_000 })
  const log = prefixedLogger((_level, line) => process.stderr.write(`${line}\n`))
  try {
    const outcomes = await fanOut(testbed.hosts, log, async (h) => {
      const host = await pool.host(`${h.address}:${h.sshPort}`, h.name)
      const info = await host.exec(['docker', 'info', '--format', '{{.ServerVersion}} {{.ID}}'])
      const proxy = await host.exec(['docker', 'image', 'inspect', '--format', '{{.Id}}', kamalProxyImage])
      const running = await host.exec(['docker', 'ps', '--format', '{{.Names}}'])
      const [version, id] = info.stdout.trim().split(' ')
      return `${h.name}  ssh ${h.address}:${h.sshPort} ok  docker ${version} (engine ${id?.slice(0, 14)}…)  ${kamalProxyImage} ${proxy.code === 0 ? 'loaded' : 'MISSING'}  containers: ${running.stdout.trim().split('\n').filter(Boolean).join(', ') || 'none'}  http ${h.httpUrl}`
    })
    return outcomes.map((o) => (o.ok ? o.value : `${o.host}  DOWN: ${o.error.message}`))
  } finally {
    await pool.closeAll()
  }
}

export function describeTestbed(testbed: Testbed): string[] {
  return [
    `registry  https://${testbed.registry.server} (user ${testbed.registry.username}, CA ${testbed.registry.caCertPath})`,
    `base image  ${testbed.baseImage}`,
    `ssh  ${testbed.ssh.user}, key ${testbed.ssh.keyPath}, known_hosts ${testbed.ssh.knownHostsPath}`,
    `builder  DOCKER_CONFIG=${testbed.builder.dockerConfig} docker buildx build --builder ${testbed.builder.buildkitd.name} … (buildx ${testbed.builder.buildx.version}, buildkitd ${testbed.builder.buildkitd.version} at ${testbed.builder.buildkitd.endpoint}); fallback ${testbed.builder.legacyDocker}`,
  ]
}
