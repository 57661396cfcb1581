import { createHash } from 'node:crypto'
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { cacheDir, docker, kamalProxyImage, kamalProxyVersion, registryServer } from './layout.js'
import { checkGo } from './deps.js'
import { buildGoModule } from './go-module.js'
import { progress, run, tryRun } from './sh.js'

const artifactDir = join(cacheDir, 'testbed')
const here = import.meta.dirname

const short = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex').slice(0, 12)
}

export const imageExists = async (ref: string): Promise<boolean> => (await tryRun([docker, 'image', 'inspect', '--format', '{{.Id}}', ref])).code === 0

/** Writes `file` through a temporary name, so a killed build never leaves half a cached artifact. */
export async function buildOnce(file: string, make: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(file)) return file
  mkdirSync(dirname(file), { recursive: true })
  // The temporary name keeps the file's extension: mmdebstrap picks its output format by it.
  const tmp = join(dirname(file), `.partial-${process.pid}-${basename(file)}`)
  rmSync(tmp, { force: true })
  await make(tmp)
  renameSync(tmp, file)
  return file
}

// ---------- host image: Debian with sshd, dockerd and the registry ----------

const hostPackages = ['openssh-server', 'docker.io', 'docker-registry', 'iproute2', 'iptables', 'ca-certificates', 'curl', 'procps']

/** The host image: a Debian rootfs made by mmdebstrap (cached), plus our boot script. */
export async function ensureHostImage(): Promise<string> {
  const rootfsKey = short('bookworm', ...hostPackages)
  const baseTag = `cutover-testbed/host-base:${rootfsKey}`
  if (!(await imageExists(baseTag))) {
    const tar = await buildOnce(join(artifactDir, `host-rootfs-${rootfsKey}.tar`), async (tmp) => {
      progress('building the host root filesystem with mmdebstrap (about half a minute)')
      await run('building the host rootfs (mmdebstrap)', ['mmdebstrap', '--variant=apt', `--include=${hostPackages.join(',')}`, 'bookworm', tmp], {
        timeoutMs: 900_000,
        fix: 'mmdebstrap needs the Debian package mirror; see its output above',
      })
    })
    progress('importing the host rootfs into the machine\'s engine')
    await run('importing the host rootfs', [docker, 'import', tar, baseTag], { timeoutMs: 300_000 })
  }
  const files = ['host.Dockerfile', 'host-boot.sh', 'sshd-testbed.conf']
  const tag = `cutover-testbed/host:${short(baseTag, ...files.map((f) => readFileSync(join(here, f))))}`
  if (!(await imageExists(tag))) {
    progress(`building ${tag}`)
    // The legacy builder: it needs nothing but the local base image (no pull, no buildx).
    await run('building the host image', [docker, 'build', '-q', '-f', join(here, 'host.Dockerfile'), '--build-arg', `BASE=${baseTag}`, '-t', tag, here], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      timeoutMs: 300_000,
    })
  }
  return tag
}

// ---------- kamal-proxy: built from its Go module, wrapped in an image ----------

async function buildKamalProxy(bin: string): Promise<void> {
  await checkGo()
  progress(`building kamal-proxy ${kamalProxyVersion} from its Go module (a minute or two)`)
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' }
  const tmpBin = mkdtempSync(join(tmpdir(), 'kamal-proxy-bin-'))
  try {
    const installed = await tryRun(['go', 'install', `github.com/basecamp/kamal-proxy/cmd/kamal-proxy@${kamalProxyVersion}`], { env: { ...env, GOBIN: tmpBin }, cwd: tmpdir(), timeoutMs: 1_200_000 })
    if (installed.code === 0) {
      copyFileSync(join(tmpBin, 'kamal-proxy'), bin)
      return
    }
    // `go install pkg@version` first asks the proxy for the module's version list (to warn about
    // deprecation); a proxy that refuses that list (403) fails the whole install.
    progress(`go install failed (${installed.stderr.trim().split('\n').pop()}); building from the module's source instead`)
    await buildGoModule({ module: 'github.com/basecamp/kamal-proxy', version: kamalProxyVersion, packages: [{ pkg: './cmd/kamal-proxy', out: bin }] })
  } finally {
    rmSync(tmpBin, { recursive: true, force: true })
  }
}

/** A rootfs directory turned into a tarball (owner and modes as set in the directory). */
async function tarDir(dir: string, out: string): Promise<void> {
  await run('packing a root filesystem', ['tar', '-C', dir, '--numeric-owner', '-cf', out, '.'])
}

/** `basecamp/kamal-proxy:v0.9.2` as a saved image tarball (the file every host engine loads). */
export async function ensureKamalProxyTar(): Promise<string> {
  const bin = join(cacheDir, 'bin', `kamal-proxy-${kamalProxyVersion}`)
  await buildOnce(bin, buildKamalProxy)
  chmodSync(bin, 0o755)
  return buildOnce(join(artifactDir, `kamal-proxy-${kamalProxyVersion}-${short(readFileSync(bin))}.image.tar`), async (tmp) => {
    if (!(await imageExists(kamalProxyImage))) {
      // Laid out like the official image: the binary on PATH, a kamal-proxy user whose config
      // directory holds the proxy's state, and `kamal-proxy run` as the command.
      const root = mkdtempSync(join(tmpdir(), 'kamal-proxy-rootfs-'))
      try {
        for (const d of ['usr/local/bin', 'etc/ssl/certs', 'home/kamal-proxy/.config/kamal-proxy', 'tmp']) mkdirSync(join(root, d), { recursive: true })
        copyFileSync(bin, join(root, 'usr/local/bin/kamal-proxy'))
        chmodSync(join(root, 'usr/local/bin/kamal-proxy'), 0o755)
        copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(root, 'etc/ssl/certs/ca-certificates.crt'))
        writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nkamal-proxy:x:1000:1000::/home/kamal-proxy:/sbin/nologin\n')
        writeFileSync(join(root, 'etc/group'), 'root:x:0:\nkamal-proxy:x:1000:\n')
        chmodSync(join(root, 'tmp'), 0o1777)
        for (const d of ['home/kamal-proxy', 'home/kamal-proxy/.config', 'home/kamal-proxy/.config/kamal-proxy']) chownSync(join(root, d), 1000, 1000)
        const rootfs = join(root, '..', `${root.split('/').pop()}.tar`)
        await tarDir(root, rootfs)
        await run('importing the kamal-proxy image', [
          docker, 'import',
          '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin',
          '--change', 'ENV HOME=/home/kamal-proxy',
          '--change', 'USER kamal-proxy:kamal-proxy',
          '--change', 'WORKDIR /home/kamal-proxy',
          '--change', 'EXPOSE 80 443',
          '--change', 'CMD ["kamal-proxy", "run"]',
          rootfs, kamalProxyImage,
        ])
        rmSync(rootfs, { force: true })
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    }
    await run('saving the kamal-proxy image', [docker, 'save', '-o', tmp, kamalProxyImage])
  })
}

// ---------- base image for sample apps: busybox-static ----------

async function busyboxVersion(): Promise<string> {
  const v = (await run('reading the busybox-static version', ['dpkg-query', '-W', '-f', '${Version}', 'busybox-static'])).trim()
  // Debian's "1:1.35.0-4+deb12u1+b1" -> a tag-safe "1.35.0-4-deb12u1-b1"
  return v.replace(/^\d+:/, '').replace(/[^A-Za-z0-9_.-]/g, '-')
}

/** The base image reference (in the registry's name) and its rootfs tarball. */
export async function ensureBusyboxBase(): Promise<{ ref: string }> {
  const version = await busyboxVersion()
  const ref = `${registryServer}/testbed/busybox:${version}`
  if (await imageExists(ref)) return { ref }
  const tar = await buildOnce(join(artifactDir, `busybox-${version}.rootfs.tar`), async (tmp) => {
    const root = mkdtempSync(join(tmpdir(), 'busybox-rootfs-'))
    try {
      mkdirSync(join(root, 'bin'), { recursive: true })
      copyFileSync('/bin/busybox', join(root, 'bin/busybox'))
      chmodSync(join(root, 'bin/busybox'), 0o755)
      // One symlink per applet, where busybox itself says the applet lives.
      const applets = (await run('listing busybox applets', ['/bin/busybox', '--list-full'])).split('\n').filter(Boolean)
      for (const path of applets) {
        if (path === 'bin/busybox') continue
        mkdirSync(join(root, dirname(path)), { recursive: true })
        const depth = path.split('/').length - 1
        symlinkSync(`${'../'.repeat(depth)}bin/busybox`, join(root, path))
      }
      for (const d of ['tmp', 'etc', 'root', 'var/www']) mkdirSync(join(root, d), { recursive: true })
      chmodSync(join(root, 'tmp'), 0o1777)
      writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n')
      writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n')
      await tarDir(root, tmp)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
  await run('importing the busybox base image', [docker, 'import', '--change', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--change', 'CMD ["sh"]', tar, ref])
  return { ref }
}

