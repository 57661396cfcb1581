import { openSync, mkdirSync, existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { docker, localDir, minGo } from './layout.js'
import { StepError, progress, run, tryRun, waitFor } from './sh.js'

/** Debian packages the testbed needs on the machine, keyed by a file each one installs. */
const packages: Record<string, string> = {
  'docker.io': '/usr/sbin/dockerd',
  'debian-archive-keyring': '/usr/share/keyrings/debian-archive-keyring.gpg',
  mmdebstrap: '/usr/bin/mmdebstrap',
  'busybox-static': '/bin/busybox',
  'apache2-utils': '/usr/bin/htpasswd',
  'openssh-client': '/usr/bin/ssh-keygen',
  openssl: '/usr/bin/openssl',
  'ca-certificates': '/etc/ssl/certs/ca-certificates.crt',
  iptables: '/usr/sbin/iptables',
}

/** Installs with apt-get whatever of `packages` is missing. */
export async function ensurePackages(): Promise<void> {
  // busybox-static replaces Debian's dynamic busybox; /bin/busybox exists with either, so ask dpkg.
  const missing: string[] = []
  // A machine that already runs a Docker engine (say, Docker CE) keeps it: docker.io would conflict.
  const haveEngine = (await tryRun(['sh', '-c', 'command -v dockerd'])).code === 0 || (await engineAnswers())
  for (const [name, file] of Object.entries(packages)) {
    if (name === 'docker.io' && haveEngine) continue
    const installed = (await tryRun(['dpkg-query', '-W', '-f', '${Status}', name])).stdout.includes('install ok installed')
    if (!installed || !existsSync(file)) missing.push(name)
  }
  if (missing.length === 0) return
  if (process.getuid?.() !== 0) {
    throw new StepError('installing Debian packages', `missing: ${missing.join(' ')}`, `run as root, or: sudo apt-get install -y ${missing.join(' ')}`)
  }
  progress(`installing Debian packages: ${missing.join(' ')}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const fix = `run: apt-get update && apt-get install -y ${missing.join(' ')}`
  await run('apt-get update', ['apt-get', 'update', '-qq'], { env, fix, timeoutMs: 600_000 })
  await run('apt-get install', ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env, fix, timeoutMs: 900_000 })
}

const engineAnswers = async (): Promise<boolean> => (await tryRun([docker, 'info', '--format', '{{.ID}}'], { timeoutMs: 10_000 })).code === 0

/** Starts the machine's dockerd in the background when no engine answers. */
export async function ensureEngine(): Promise<void> {
  if (await engineAnswers()) return
  mkdirSync(localDir, { recursive: true })
  const logPath = join(localDir, 'dockerd.log')
  progress(`starting dockerd (log: ${logPath})`)
  const log = openSync(logPath, 'a')
  const child = spawn('/usr/sbin/dockerd', [], { detached: true, stdio: ['ignore', log, log] })
  child.unref()
  if (!(await waitFor(engineAnswers, 60, 500))) {
    throw new StepError('starting the machine\'s Docker engine', `dockerd did not answer within 30s: see ${logPath}`, `read ${logPath}; an engine already started elsewhere may hold /var/run/docker.pid`)
  }
}

/**
 * Go for building `what` from its module: present and at least `min` (the module's go.mod
 * `go` line), or a clear stop.
 */
export async function checkGo(what = 'kamal-proxy', min: readonly number[] = minGo): Promise<string> {
  const r = await tryRun(['go', 'version'])
  const fix = `install Go ${min.join('.')} or newer (https://go.dev/dl/) and put it on PATH; Go is needed only because ${what} cannot be pulled here`
  if (r.code !== 0) throw new StepError(`building ${what}`, 'Go is not installed (no `go` on PATH)', fix)
  const m = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(r.stdout)
  const have = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0]
  for (let i = 0; i < 3; i++) {
    if (have[i]! > (min[i] ?? 0)) break
    if (have[i]! < (min[i] ?? 0)) throw new StepError(`building ${what}`, `Go ${have.join('.')} is too old (${r.stdout.trim()})`, fix)
  }
  return have.join('.')
}
