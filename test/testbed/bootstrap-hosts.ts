import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { imageExists } from './artifacts.js'
import { execIn } from './containers.js'
import { cacheDir, docker, label, network } from './layout.js'
import { progress, run, tryRun, waitFor } from './sh.js'

/**
 * For `cutover server bootstrap` end-to-end: hosts WITHOUT Docker, and the stub install script
 * served INSIDE the testbed network (nothing is fetched from the internet).
 *
 * - Variant host images: bootstrap-host.Dockerfile FROM the ordinary testbed host image (so the
 *   same rootfs and sshd), with Docker's binaries removed; `wget`: curl removed, busybox's wget
 *   added; `none`: neither curl nor wget. Built only when a test asks, tagged by a hash of their
 *   inputs, so later runs reuse them (the build is two small layers over the cached host image).
 * - The stub server: the testbed's busybox base image running `httpd` on the testbed network. Its
 *   CGI `install` logs the fetcher's User-Agent (so a test can tell wget from curl) and returns a
 *   script that installs a `docker` shim and writes a marker file: proof it was fetched and ran.
 *
 * Containers carry the testbed label, so `npm run testbed:down` removes them with the rest.
 */

export type Variant = 'wget' | 'none'
const here = import.meta.dirname
const variantIp: Record<Variant, string> = { wget: '10.213.77.61', none: '10.213.77.62' }
export const variantContainer = (v: Variant): string => `cutover-testbed-acc-nodocker-${v}`
export const stubContainer = 'cutover-testbed-acc-stub'
export const stubIp = '10.213.77.60'
export const stubInstallUrl = `http://${stubIp}:8080/cgi-bin/install`
/** Where the stub install script leaves its proof on the host. */
export const STUB_MARKER = '/var/log/cutover-stub-install.log'

const STUB_SCRIPT = `#!/bin/sh
# cutover testbed stub of get.docker.com: installs a docker shim, not Docker.
set -e
cat > /usr/local/bin/docker <<'SHIM'
#!/bin/sh
case "$1" in
  -v|--version) echo "Docker version 0.0.0-cutover-stub" ;;
  *) echo "cutover stub docker: $*" ;;
esac
SHIM
chmod 755 /usr/local/bin/docker
echo "stub install ran as $(id -un)" >> ${STUB_MARKER}
echo "cutover stub install: docker shim installed"
`

/** CGI: log who fetched, then serve the stub script. */
const STUB_CGI = `#!/bin/sh
echo "fetched by: \${HTTP_USER_AGENT:-unknown}" >> /tmp/fetches
printf 'Content-Type: text/plain\\r\\n\\r\\n'
cat /www/install.sh
`

/** The variant image, built (and cached by tag) from the testbed host image `hostImage`. */
export async function ensureVariantImage(hostImage: string, v: Variant): Promise<string> {
  const dockerfile = readFileSync(join(here, 'bootstrap-host.Dockerfile'))
  const boot = readFileSync(join(here, 'bootstrap-host-boot.sh'))
  const { createHash } = await import('node:crypto')
  const key = createHash('sha256').update(hostImage).update(dockerfile).update(boot).update(v).digest('hex').slice(0, 12)
  const tag = `cutover-testbed/host-nodocker-${v}:${key}`
  if (await imageExists(tag)) return tag
  const context = join(cacheDir, 'testbed', 'bootstrap-host-context')
  mkdirSync(context, { recursive: true })
  copyFileSync('/bin/busybox', join(context, 'busybox'))
  copyFileSync(join(here, 'bootstrap-host-boot.sh'), join(context, 'bootstrap-host-boot.sh'))
  progress(`building ${tag} (a testbed host without Docker, tools: ${v})`)
  await run(`building the bootstrap host variant ${v}`, [docker, 'build', '-q', '-f', join(here, 'bootstrap-host.Dockerfile'), '--build-arg', `BASE=${hostImage}`, '--build-arg', `TOOLS=${v}`, '-t', tag, context], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    timeoutMs: 300_000,
  })
  return tag
}

/**
 * A fresh variant host (any previous one removed: the stub install changes it), sshd answering.
 * Returns its address and its known_hosts lines.
 */
export async function freshVariantHost(image: string, v: Variant, publicKey: string): Promise<{ address: string; knownHosts: string[] }> {
  const name = variantContainer(v)
  const address = variantIp[v]
  await tryRun([docker, 'rm', '-f', name])
  await run(`starting ${name}`, [docker, 'run', '-d', '--name', name, '--label', `${label}=bootstrap-host`, '--network', network.name, '--ip', address, '-e', `TESTBED_AUTHORIZED_KEY=${publicKey}`, image])
  const keys = async () => (await execIn(name, ['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub'])).stdout
  if (!(await waitFor(async () => (await keys()).includes('ssh-') && (await execIn(name, ['sh', '-c', 'test -e /run/sshd.pid'])).code === 0, 60, 250))) {
    throw new Error(`${name}: sshd did not start within 15s; see \`docker logs ${name}\``)
  }
  const knownHosts = (await keys()).split('\n').filter(Boolean).map((l) => `${address} ${l.split(' ').slice(0, 2).join(' ')}`)
  return { address, knownHosts }
}

/** The stub install server, started once and reused; its fetch log is emptied for this run. */
export async function ensureStubServer(baseImage: string): Promise<void> {
  const running = await tryRun([docker, 'inspect', '--format', '{{.State.Running}}', stubContainer])
  if (running.stdout.trim() !== 'true') {
    await tryRun([docker, 'rm', '-f', stubContainer])
    const start = 'mkdir -p /www/cgi-bin && printf "%s" "$STUB_SCRIPT" > /www/install.sh && printf "%s" "$STUB_CGI" > /www/cgi-bin/install && chmod 755 /www/cgi-bin/install && exec httpd -f -p 8080 -h /www'
    await run('starting the stub install server', [docker, 'run', '-d', '--name', stubContainer, '--label', `${label}=bootstrap-stub`, '--network', network.name, '--ip', stubIp, '-e', `STUB_SCRIPT=${STUB_SCRIPT}`, '-e', `STUB_CGI=${STUB_CGI}`, baseImage, 'sh', '-c', start])
  }
  await execIn(stubContainer, ['rm', '-f', '/tmp/fetches'])
}

export const removeContainer = async (name: string): Promise<void> => void (await tryRun([docker, 'rm', '-f', name]))

/** Who fetched the stub so far (one User-Agent a line). */
export const stubFetches = async (): Promise<string> => (await execIn(stubContainer, ['sh', '-c', 'cat /tmp/fetches 2>/dev/null || true'])).stdout
