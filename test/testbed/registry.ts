import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { docker, network, registryContainer, registryIp, registryServer, registryUser, stateDir } from './layout.js'
import { ensureContainer } from './containers.js'
import type { TestbedSecrets } from './secrets.js'
import { StepError, run, waitFor } from './sh.js'

/** The Docker client config (holding the registry login) for pushes from the machine's engine. */
export const machineDockerConfig = join(stateDir, 'docker-config')

/** An HTTPS request to the registry, trusting only the testbed CA. Resolves the status code. */
function registryStatus(secrets: TestbedSecrets, method: string, path: string, auth: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = request({
      host: registryIp, port: 5000, method, path, ca: secrets.caCert, timeout: 5_000,
      headers: {
        Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
        ...(auth ? { Authorization: `Basic ${Buffer.from(`${registryUser}:${secrets.registryPassword}`).toString('base64')}` } : {}),
      },
    }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(0))
    req.end()
  })
}

/** The registry: Debian's docker-registry (in the host image) over TLS with htpasswd auth. */
export async function ensureRegistry(image: string, secrets: TestbedSecrets): Promise<void> {
  await ensureContainer({
    name: registryContainer,
    role: 'registry',
    image,
    flags: [
      '--network', network.name, '--ip', registryIp, '--init',
      '-v', `${secrets.registryDir}:/certs:ro`,
      '--tmpfs', '/var/lib/registry',
      '-e', 'REGISTRY_HTTP_ADDR=0.0.0.0:5000',
      '-e', 'REGISTRY_HTTP_TLS_CERTIFICATE=/certs/registry.crt',
      '-e', 'REGISTRY_HTTP_TLS_KEY=/certs/registry.key',
      '-e', 'REGISTRY_AUTH=htpasswd',
      '-e', 'REGISTRY_AUTH_HTPASSWD_REALM=cutover-testbed',
      '-e', 'REGISTRY_AUTH_HTPASSWD_PATH=/certs/htpasswd',
      '-e', 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/var/lib/registry',
    ],
    command: ['docker-registry', 'serve', '/etc/docker/registry/config.yml'],
  })
  // 401 without credentials: TLS (with our CA) and auth are both in place.
  const up = await waitFor(async () => (await registryStatus(secrets, 'GET', '/v2/', false)) === 401, 60, 500)
  if (!up) throw new StepError('starting the registry', `https://${registryServer}/v2/ did not answer 401 within 30s`, `see \`docker logs ${registryContainer}\``)
  await trustOnMachine(secrets)
}

/** The machine's engine trusts the CA through certs.d (read per request: no restart) and logs in. */
async function trustOnMachine(secrets: TestbedSecrets): Promise<void> {
  const dir = `/etc/docker/certs.d/${registryServer}`
  const ca = join(dir, 'ca.crt')
  if (!existsSync(ca) || readFileSync(ca, 'utf8').trim() !== secrets.caCert) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(ca, `${secrets.caCert}\n`)
  }
  const configFile = join(machineDockerConfig, 'config.json')
  if (!existsSync(configFile) || !readFileSync(configFile, 'utf8').includes(registryServer)) {
    mkdirSync(machineDockerConfig, { recursive: true, mode: 0o700 })
    await run('logging the machine\'s engine in to the registry', [docker, '--config', machineDockerConfig, 'login', '--username', registryUser, '--password-stdin', registryServer], { input: secrets.registryPassword })
  }
}

/** Pushes `ref` (an image in the machine's engine) unless the registry has that tag already. */
export async function ensurePushed(ref: string, secrets: TestbedSecrets): Promise<void> {
  const [repo, tag] = [ref.slice(registryServer.length + 1, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)]
  if ((await registryStatus(secrets, 'HEAD', `/v2/${repo}/manifests/${tag}`, true)) === 200) return
  await run(`pushing ${ref}`, [docker, '--config', machineDockerConfig, 'push', '-q', ref], { timeoutMs: 300_000 })
}
