import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { hostContainer, hostHttpPort, hostIp, hostName, kamalProxyImage, network, registryServer } from './layout.js'
import { dockerInDockerFlags, ensureContainer, execIn } from './containers.js'
import type { TestbedSecrets } from './secrets.js'
import { StepError, progress, waitFor } from './sh.js'

const tcpOpen = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2_000 })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('timeout', () => (s.destroy(), resolve(false)))
    s.once('error', () => resolve(false))
  })

/** Host `n`: its container running, sshd answering, its engine up, kamal-proxy loaded. Returns its host keys. */
export async function ensureHost(n: number, image: string, secrets: TestbedSecrets, kamalProxyTar: string): Promise<string[]> {
  const name = hostContainer(n)
  const started = await ensureContainer({
    name,
    role: 'host',
    image,
    flags: [
      '--hostname', hostName(n), '--network', network.name, '--ip', hostIp(n),
      '-p', `127.0.0.1:${hostHttpPort(n)}:80`, '--init',
      ...dockerInDockerFlags,
      '-e', `TESTBED_AUTHORIZED_KEY=${secrets.sshPublicKey}`,
      '-e', `TESTBED_REGISTRY=${registryServer}`,
      '-e', `TESTBED_REGISTRY_CA=${secrets.caCert}`,
    ],
  })
  if (started) progress(`${hostName(n)}: started`)
  const fix = `see \`docker logs ${name}\` and \`docker exec ${name} cat /var/log/dockerd.log\``
  if (!(await waitFor(() => tcpOpen(hostIp(n), 22), 60, 500))) {
    throw new StepError(`${hostName(n)}: starting sshd`, `nothing answers on ${hostIp(n)}:22 after 30s`, fix)
  }
  if (!(await waitFor(async () => (await execIn(name, ['docker', 'info', '--format', '{{.ID}}'])).code === 0, 120, 500))) {
    throw new StepError(`${hostName(n)}: starting its Docker engine`, 'dockerd inside the host did not answer within 60s', fix)
  }
  if ((await execIn(name, ['docker', 'image', 'inspect', '--format', '{{.Id}}', kamalProxyImage])).code !== 0) {
    progress(`${hostName(n)}: loading ${kamalProxyImage}`)
    const loaded = await execIn(name, ['docker', 'load', '-q'], readFileSync(kamalProxyTar))
    if (loaded.code !== 0) throw new StepError(`${hostName(n)}: loading ${kamalProxyImage}`, loaded.stderr.trim(), fix)
  }
  const keys = await execIn(name, ['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub'])
  if (keys.code !== 0) throw new StepError(`${hostName(n)}: reading its host keys`, keys.stderr.trim(), fix)
  // known_hosts lines: the address the tests connect to, the key type and the key (no comment).
  return keys.stdout.split('\n').filter(Boolean).map((l) => `${hostIp(n)} ${l.split(' ').slice(0, 2).join(' ')}`)
}

