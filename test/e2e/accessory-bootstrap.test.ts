import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { ensureHostImage } from '../testbed/artifacts.js'
import { ensureStubServer, ensureVariantImage, freshVariantHost, removeContainer, STUB_MARKER, stubFetches, stubInstallUrl, variantContainer } from '../testbed/bootstrap-hosts.js'
import { execIn } from '../testbed/containers.js'
import { hostContainer } from '../testbed/layout.js'
import { cutover, everything, type CliRun } from './support/cli.js'
import { hosts } from './support/hosts.js'
import { testbed } from './testbed.js'

/**
 * `cutover accessory …` and `cutover server bootstrap` on the real testbed, through the bundled CLI.
 *
 * Accessory: a busybox httpd booted on vm1 from the testbed's registry (login + pull), with a clear
 * env value, a secret env value (0600 env file), a template file rendered from .erb holding the
 * secret (0600), a plain file it serves (0644) and a directory; then logs, details, exec (new
 * container and --reuse), reboot, remove. What is on the host is read with `docker exec` into the
 * host container, outside cutover.
 *
 * Bootstrap: two hosts WITHOUT Docker built from the testbed host image (test/testbed/
 * bootstrap-hosts.ts: bootstrap-host.Dockerfile), one with only wget, one with neither curl nor
 * wget, and a stub install script served inside the testbed network; vm1 (with Docker) alongside.
 */

const runId = `${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}`
const service = `acc-${runId}`
const accessoryName = 'echo'
const container = `${service}-${accessoryName}`
const SECRET = `acc-secret-${randomBytes(8).toString('hex')}`
const vm1 = hosts[0]!
const dir = mkdtempSync(join(tmpdir(), `cutover-${service}-`))
const traceFile = join(dir, 'trace.jsonl')
const hookLog = join(dir, 'docker-setup.log')
const knownHosts = join(dir, 'known_hosts')
const onVm1 = (script: string) => execIn(hostContainer(1), ['sh', '-c', script])

const base = {
  service,
  image: `cutover-e2e/${service}`,
  registry: { server: testbed.registry.server, username: testbed.registry.username, password: ['KAMAL_REGISTRY_PASSWORD'] },
  ssh: { user: testbed.ssh.user },
}

function writeConfig(file: string, config: Record<string, unknown>): void {
  writeFileSync(join(dir, 'config', file), stringify({ ...base, ...config }))
}

const env = (): Record<string, string> => ({ KAMAL_REGISTRY_PASSWORD: testbed.registry.password, ACC_SECRET: SECRET, USER: `e2e-${service}`, CUTOVER_TRACE_FILE: traceFile })
/** `cutover ARGS` with the config and the testbed's SSH flags, put before a `--` (after it, words are the command to exec). */
const cli = (args: string[], config = 'deploy.yml'): Promise<CliRun> => {
  const flags = ['-c', `config/${config}`, '--known-hosts', knownHosts, '--ssh-key', testbed.ssh.keyPath]
  const end = args.indexOf('--')
  const argv = end < 0 ? [...args, ...flags] : [...args.slice(0, end), ...flags, ...args.slice(end)]
  return cutover(argv, { cwd: dir, env: env(), timeoutMs: 120_000 })
}
const show = (r: CliRun): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
const traced = (): { host: string; command: string }[] => (existsSync(traceFile) ? readFileSync(traceFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { host: string; command: string }) : [])

beforeAll(async () => {
  mkdirSync(join(dir, 'config'), { recursive: true })
  mkdirSync(join(dir, 'www'))
  writeFileSync(join(dir, 'www', 'index.html'), `acc-echo says ${runId}\n`)
  writeFileSync(join(dir, 'config', 'secret.conf.erb'), 'greeting=<%= ENV["GREETING"] %>\npassword=<%= ENV.fetch("ACC_SECRET") %>\n')
  writeConfig('deploy.yml', {
    servers: { web: [vm1.address] },
    accessories: {
      [accessoryName]: {
        image: testbed.baseImage,
        host: vm1.address,
        // busybox httpd as PID 1 ignores TERM: a 1 s stop timeout keeps reboot and remove quick.
        cmd: 'sh -c "echo acc-echo booted; exec httpd -f -p 8080 -h /www"',
        port: '127.0.0.1:18399:8080',
        env: { clear: { GREETING: 'hello-acc' }, secret: ['ACC_SECRET'] },
        files: ['config/secret.conf.erb:/etc/acc/secret.conf', 'www/index.html:/www/index.html'],
        directories: ['data:/data'],
        options: { 'stop-timeout': 1 },
        labels: { team: 'e2e' },
      },
    },
  })
  const hooks = join(dir, '.kamal', 'hooks')
  mkdirSync(hooks, { recursive: true })
  writeFileSync(join(hooks, 'docker-setup'), `#!/bin/sh\necho "docker-setup KAMAL_COMMAND=$KAMAL_COMMAND KAMAL_SUBCOMMAND=$KAMAL_SUBCOMMAND KAMAL_LOCK=$KAMAL_LOCK KAMAL_HOSTS=$KAMAL_HOSTS" >> '${hookLog}'\n`)
  chmodSync(join(hooks, 'docker-setup'), 0o755)
  writeFileSync(knownHosts, readFileSync(testbed.ssh.knownHostsPath, 'utf8'))
}, 60_000)

afterAll(async () => {
  await onVm1(`docker rm -f ${container} >/dev/null 2>&1; rm -rf /root/${container} /root/.kamal/apps/${service} /root/.kamal/lock-${service}`)
  // The variant hosts are recreated by the next run (the stub install changes them); removed here to free their addresses.
  for (const v of ['wget', 'none'] as const) await removeContainer(variantContainer(v))
  rmSync(dir, { recursive: true, force: true })
})

describe('cutover accessory on the testbed', () => {
  it('boot → logs, details, exec (new and --reuse) → reboot → remove; the secret only in 0600 files, never in argv or output', async () => {
    const boot = await cli(['accessory', 'boot', accessoryName])
    expect(boot.code, show(boot)).toBe(0)
    const envFile = `/root/.kamal/apps/${service}/env/accessories/${accessoryName}.env`
    const onHost = await onVm1(
      `stat -c '%a %U %n' ${envFile} /root/${container}/etc/acc/secret.conf /root/${container}/www/index.html && test -d /root/${container}/data && echo dir-ok && ` +
        `cat ${envFile} /root/${container}/etc/acc/secret.conf && docker inspect --format '{{.State.Status}} {{index .Config.Labels "service"}} {{index .Config.Labels "team"}} {{.HostConfig.RestartPolicy.Name}} {{range .NetworkSettings.Networks}}{{.NetworkID}}{{end}}' ${container} && docker network ls --format '{{.Name}}' --filter name=^kamal$`,
    )
    expect(onHost.code, onHost.stderr).toBe(0)
    const lines = onHost.stdout.trim().split('\n')
    expect(lines.slice(0, 7)).toEqual([
      `600 root ${envFile}`,
      `600 root /root/${container}/etc/acc/secret.conf`,
      `644 root /root/${container}/www/index.html`,
      'dir-ok',
      `ACC_SECRET=${SECRET}`,
      'greeting=hello-acc',
      `password=${SECRET}`,
    ])
    expect(lines[7]).toMatch(new RegExp(`^running ${container} e2e unless-stopped \\w+$`))
    expect(lines[8]).toBe('kamal')

    // A second boot leaves the running container alone.
    const again = await cli(['accessory', 'boot', accessoryName, '--json'])
    expect(again.code, show(again)).toBe(0)
    expect((JSON.parse(again.stdout) as { accessories: { action: string }[] }).accessories.map((a) => a.action)).toEqual(['exists'])

    // exec --reuse: the listening service answers inside its container (the file it serves is the uploaded one).
    const served = await cli(['accessory', 'exec', accessoryName, '--reuse', 'wget -qO- http://127.0.0.1:8080/index.html'])
    expect(served.code, show(served)).toBe(0)
    expect(served.stdout).toBe(`[${vm1.address}] acc-echo says ${runId}\n`)
    // exec in a new container: the clear env and the secret env file reach it (the secret's length only, never its value).
    const fresh = await cli(['accessory', 'exec', accessoryName, '--', 'sh', '-c', 'echo $GREETING ${#ACC_SECRET}'])
    expect(fresh.code, show(fresh)).toBe(0)
    expect(fresh.stdout).toBe(`[${vm1.address}] hello-acc ${SECRET.length}\n`)

    const logs = await cli(['accessory', 'logs', accessoryName, '-n', '5'])
    expect(logs.code, show(logs)).toBe(0)
    expect(logs.stdout).toMatch(new RegExp(`^\\[${vm1.address.replace(/\./g, '\\.')}\\] \\S+ acc-echo booted$`, 'm'))

    const details = await cli(['accessory', 'details', 'all'])
    expect(details.code, show(details)).toBe(0)
    expect(details.stdout).toMatch(new RegExp(`\\] .*${testbed.baseImage.replace(/[.:/]/g, '\\$&')}.* Up .* ${container}$`, 'm'))

    const idBefore = (await onVm1(`docker inspect --format '{{.Id}}' ${container}`)).stdout.trim()
    const reboot = await cli(['accessory', 'reboot', accessoryName])
    expect(reboot.code, show(reboot)).toBe(0)
    expect(reboot.stderr).toMatch(/NOT zero-downtime/)
    const after = await onVm1(`docker inspect --format '{{.Id}} {{.State.Status}}' ${container}`)
    expect(after.stdout.trim()).toMatch(/^\w+ running$/)
    expect(after.stdout.split(' ')[0]).not.toBe(idBefore)

    const refused = await cli(['accessory', 'remove', accessoryName])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/pass -y/)
    const removed = await cli(['accessory', 'remove', accessoryName, '-y'])
    expect(removed.code, show(removed)).toBe(0)
    const gone = await onVm1(`docker container inspect ${container} >/dev/null 2>&1 && echo container; test -e /root/${container} && echo dir; test -e ${envFile} && echo env; true`)
    expect(gone.stdout.trim()).toBe('')

    // Never the secret in what was sent over SSH, nor in anything printed.
    const sent = traced()
    expect(sent.length).toBeGreaterThan(10)
    for (const t of sent) expect(t.command).not.toContain(SECRET)
    for (const r of [boot, again, served, fresh, logs, details, reboot, removed]) expect(everything(r)).not.toContain(SECRET)
  }, 120_000)

  it('a template with Ruby beyond the ERB subset is refused, naming the file, before any host is touched', async () => {
    writeFileSync(join(dir, 'config', 'bad.conf.erb'), 'x=<%= `hostname` %>\n')
    writeConfig('bad-erb.yml', { servers: { web: [vm1.address] }, accessories: { bad: { image: testbed.baseImage, host: vm1.address, files: ['config/bad.conf.erb:/etc/bad.conf'] } } })
    rmSync(traceFile, { force: true })
    const r = await cli(['accessory', 'boot', 'bad'], 'bad-erb.yml')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/accessories\/bad\/files\/0: cannot render the template config\/bad\.conf\.erb: config\/bad\.conf\.erb:1:/)
    expect(traced()).toEqual([])
  })
})

describe('cutover server bootstrap on the testbed', () => {
  let wgetHost: { address: string; knownHosts: string[] }
  let bareHost: { address: string; knownHosts: string[] }

  beforeAll(async () => {
    const hostImage = await ensureHostImage()
    const [wgetImage, bareImage] = await Promise.all([ensureVariantImage(hostImage, 'wget'), ensureVariantImage(hostImage, 'none')])
    const publicKey = readFileSync(`${testbed.ssh.keyPath}.pub`, 'utf8').trim()
    ;[wgetHost, bareHost] = await Promise.all([freshVariantHost(wgetImage, 'wget', publicKey), freshVariantHost(bareImage, 'none', publicKey), ensureStubServer(testbed.baseImage)])
    writeFileSync(knownHosts, [readFileSync(testbed.ssh.knownHostsPath, 'utf8').trim(), ...wgetHost.knownHosts, ...bareHost.knownHosts, ''].join('\n'))
    const xCutover = { bootstrap: { install_url: stubInstallUrl } }
    writeConfig('bootstrap.yml', { servers: { web: [vm1.address, wgetHost.address] }, 'x-cutover': xCutover })
    writeConfig('bootstrap-bare.yml', { servers: { web: [bareHost.address] }, 'x-cutover': xCutover })
  }, 120_000)

  it('no Docker and no curl: the stub is fetched through wget and runs; vm1 (with Docker) is untouched; docker-setup fires', async () => {
    rmSync(traceFile, { force: true })
    const vm1Before = (await onVm1('docker info --format {{.ID}} && docker ps -q | sort | md5sum')).stdout
    const r = await cli(['server', 'bootstrap', '--json'], 'bootstrap.yml')
    expect(r.code, show(r)).toBe(0)
    const result = JSON.parse(r.stdout) as { ok: boolean; dockerSetup: string; hosts: { host: string; action: string; fetchedWith?: string }[] }
    expect(result.hosts.map((h) => [h.host, h.action, h.fetchedWith ?? null])).toEqual([
      [vm1.address, 'untouched', null],
      [wgetHost.address, 'installed', 'wget'],
    ])
    expect(result.dockerSetup).toBe('fired')
    // The stub server saw exactly one fetch, by wget; the script ran on the host and left its docker shim.
    expect((await stubFetches()).trim()).toMatch(/^fetched by: Wget\S*$/i)
    const proof = await execIn(variantContainer('wget'), ['sh', '-c', `cat ${STUB_MARKER}; docker -v`])
    expect(proof.stdout).toBe('stub install ran as root\nDocker version 0.0.0-cutover-stub\n')
    // docker-setup: once, under the lock, as Kamal's `server bootstrap` fires it.
    expect(readFileSync(hookLog, 'utf8')).toBe(`docker-setup KAMAL_COMMAND=server KAMAL_SUBCOMMAND=bootstrap KAMAL_LOCK=true KAMAL_HOSTS=${vm1.address},${wgetHost.address}\n`)
    // vm1: looked at, never sent the install; its engine and containers as they were.
    const vm1Sent = traced().filter((t) => t.host === vm1.address).map((t) => t.command)
    expect(vm1Sent.some((c) => c.includes('cutover-install-docker'))).toBe(false)
    expect((await onVm1('docker info --format {{.ID}} && docker ps -q | sort | md5sum')).stdout).toBe(vm1Before)
  }, 120_000)

  it('neither curl nor wget: a clear failure naming the host; nothing installed; docker-setup does not fire', async () => {
    const before = readFileSync(hookLog, 'utf8')
    const r = await cli(['server', 'bootstrap'], 'bootstrap-bare.yml')
    expect(r.code, show(r)).toBe(1)
    expect(r.stdout).toContain(`${bareHost.address}: failed: ${bareHost.address}: Docker is not installed, and neither curl nor wget is there to fetch ${stubInstallUrl}`)
    expect(r.stdout).toContain(`docker-setup did not fire: ${bareHost.address} failed`)
    expect((await execIn(variantContainer('none'), ['sh', '-c', `test -e ${STUB_MARKER} || command -v docker || echo clean`])).stdout.trim()).toBe('clean')
    expect(readFileSync(hookLog, 'utf8')).toBe(before)
  }, 60_000)
})
