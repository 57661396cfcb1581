import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeRun, TestApp } from './support/app.js'
import { startCutover, everything, type CliRun } from './support/cli.js'
import { HostReader, hosts, type TestHost } from './support/hosts.js'
import { get, startLoad, version, type LoadReport } from './support/http.js'
import { testbed } from './testbed.js'

/**
 * The day-two commands through the bundled CLI on the real testbed, after one shared deploy:
 * logs, exec (new container and --reuse), the read-only looks, stop/start, boot under load,
 * maintenance/live, stale containers, proxy details, audit, and --lock-wait against a held lock.
 * Each test starts from the state the one before left.
 */

const app = new TestApp('da-app')
const reader = new HostReader()
const SECRET = `da-secret-${randomBytes(8).toString('hex')}`
const primary = hosts[0]!
const runs: CliRun[] = []
const started = performance.now()

async function cli(...command: string[]): Promise<CliRun> {
  const r = await app.run(command)
  runs.push(r)
  return r
}
const ok = (r: CliRun): void => expect(r.code, describeRun(r)).toBe(0)
const json = <T>(r: CliRun): T => JSON.parse(r.stdout) as T
const targets = () => hosts.map((h) => ({ name: h.name, baseUrl: h.httpUrl, host: app.proxyHost }))
const running = async (h: TestHost) => (await reader.containers(h, app.service)).filter((c) => c.state === 'running')

beforeAll(async () => {
  app.configure({ clear: { GREETING: 'da' }, secrets: { DA_SECRET: SECRET }, deployTimeout: 15 })
  app.buildImage('v1')
  const r = await app.deploy('v1')
  runs.push(r)
  expect(r.code, describeRun(r)).toBe(0)
}, 120_000)

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
  console.info(`app-commands.test.ts: ${Math.round(performance.now() - started)} ms wall time`)
})

describe('cutover app/proxy/audit on the testbed (bundled CLI)', () => {
  it('exec --reuse runs in the serving container; logs --grep finds what it wrote, prefixed per host', async () => {
    const mark = `da-mark-${randomBytes(4).toString('hex')}`
    ok(await cli('app', 'exec', '--reuse', `sh -c "echo ${mark} > /proc/1/fd/1"`))
    const [r, none] = await Promise.all([cli('app', 'logs', '--grep', mark), cli('app', 'logs', '--grep', 'no-such-line-anywhere', '-n', '5')])
    ok(r)
    for (const h of hosts) expect(r.stdout, describeRun(r)).toContain(`[${h.address}] ${mark}`)
    ok(none)
    expect(none.stdout).toContain('nothing found')
  })

  it('exec runs a new container of the current version: the secret env reaches it through the env file, never argv', async () => {
    const mark = `da-exec-${randomBytes(4).toString('hex')}`
    const run = startCutover(
      ['app', 'exec', '--hosts', primary.address, `sh -c 'printf %s "$DA_SECRET" | sha256sum; echo "greeting=$GREETING version=$KAMAL_VERSION"; sleep 4' ${mark}`,
        '-c', 'config/deploy.yml', '--known-hosts', testbed.ssh.knownHostsPath, '--ssh-key', testbed.ssh.keyPath],
      { cwd: app.dir, env: app.env(), timeoutMs: 60_000 },
    )
    // While it runs, look at it on the host: what Docker was given, and every process's argv.
    let inspected = ''
    for (let i = 0; i < 50 && !inspected.includes(mark); i++) {
      inspected = await reader.sh(primary, 'f=$(printf "{{json .Path}}\\t{{json .Args}}\\t{{json .Config.Cmd}}\\t{{json .Config.Env}}"); for id in $(docker ps -q --no-trunc); do docker inspect --format "$f" "$id"; done | grep -F -- "$1" || true', mark)
      if (!inspected.includes(mark)) await new Promise((r) => setTimeout(r, 200))
    }
    const ps = await reader.sh(primary, 'ps -eo args')
    const r = await run.done
    runs.push(r)
    ok(r)
    expect(inspected, 'the exec container was seen running').toContain(mark)
    const [path, args, cmd, env] = inspected.trim().split('\t')
    expect(`${path} ${args} ${cmd}`).not.toContain(SECRET)
    expect(env, 'the container has the secret (from --env-file)').toContain(`DA_SECRET=${SECRET}`)
    expect(ps, 'no process on the host has the secret in its argv').not.toContain(SECRET)
    expect(ps).toContain(mark)
    const hash = createHash('sha256').update(SECRET).digest('hex')
    expect(r.stdout).toContain(`[${primary.address}] ${hash}`)
    expect(r.stdout).toContain(`[${primary.address}] greeting=da version=v1`)
    for (const line of app.trace()) expect(line.command).not.toContain(SECRET)
  })

  it('containers, version and details say what runs where (--json)', async () => {
    const [containers, ver, details] = await Promise.all([cli('app', 'containers', '--json'), cli('app', 'version', '--json'), cli('app', 'details')])
    for (const r of [containers, ver, details]) ok(r)
    const c = json<{ ok: boolean; hosts: { host: string; containers: { Names: string; State: string }[] }[] }>(containers)
    expect(c.hosts.map((h) => h.host)).toEqual(hosts.map((h) => h.address))
    for (const h of c.hosts) expect(h.containers.map((x) => `${x.Names} ${x.State}`)).toEqual([`${app.service}-web-v1 running`])
    expect(json<{ hosts: { host: string; roles: Record<string, string> }[] }>(ver).hosts).toEqual(hosts.map((h) => ({ host: h.address, roles: { web: 'v1' } })))
    for (const h of hosts) expect(details.stdout).toMatch(new RegExp(`\\[${h.address.replace(/\./g, '\\.')}\\] .*${app.service}-web-v1`))
  })

  it('stop stops the app on every host, start starts it again', async () => {
    ok(await cli('app', 'stop'))
    for (const h of hosts) expect(await running(h)).toEqual([])
    ok(await cli('app', 'start'))
    for (const h of hosts) {
      expect((await running(h)).map((c) => c.name)).toEqual([`${app.service}-web-v1`])
      expect(await version(h.httpUrl, app.proxyHost)).toBe('v1')
    }
  })

  it('boot reboots the current version through the zero-downtime path: 0 failed requests under load', async () => {
    const before = await Promise.all(hosts.map(async (h) => (await running(h))[0]!.id))
    const load = startLoad(targets(), { expect: ['v1'], maxRequests: 5_000, maxMs: 60_000 })
    const r = await cli('app', 'boot', '--json')
    const report: LoadReport = await load.stop(100)
    ok(r)
    expect(report.failed, JSON.stringify(report.failed.slice(0, 5))).toEqual([])
    expect(report.capped).toBe(false)
    console.info(`load during app boot: ${report.sent} requests, ${report.failed.length} failed; boot took ${r.ms} ms`)
    expect(json<{ hosts: { action: string }[] }>(r).hosts.map((h) => h.action)).toEqual(hosts.map(() => 'replaced'))
    for (const [i, h] of hosts.entries()) {
      const now = await running(h)
      expect(now.map((c) => c.name)).toEqual([`${app.service}-web-v1`])
      expect(now[0]!.id).not.toBe(before[i])
    }
  })

  it('maintenance: kamal-proxy answers 503 with the message; live: the app again, 0 failed requests around live', async () => {
    const message = `Back soon ${randomBytes(3).toString('hex')}`
    ok(await cli('app', 'maintenance', '--message', message))
    for (const h of hosts) {
      const reply = await get(h.httpUrl, app.proxyHost, '/version')
      expect(reply.status).toBe(503)
      expect(reply.body).toContain(message)
    }
    const load = startLoad(targets(), { expect: ['v1'], maxRequests: 5_000, maxMs: 30_000 })
    const r = await cli('app', 'live')
    const report = await load.stop(100)
    ok(r)
    // Before live took effect: kamal-proxy's maintenance answer; after: the app. Nothing else, ever.
    expect(report.failed.filter((f) => !f.why.startsWith('HTTP 503: <!doctype html>')).map((f) => f.why)).toEqual([])
    // `live` resumes each host's proxy in turn: per host, nothing fails once that host answered again.
    for (const h of new Set(report.answers.map((a) => a.target))) {
      const firstUp = Math.min(...report.answers.filter((a) => a.target === h).map((a) => a.doneAt))
      expect(report.failed.filter((f) => f.target === h && f.at > firstUp), `no failure on ${h} once it answered again`).toEqual([])
    }
    expect(new Set(report.answers.map((a) => a.target)).size, 'every host answered again').toBe(hosts.length)
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost)).toBe('v1')
  })

  it('stale-containers finds a running container other than the current one; --stop stops it', async () => {
    const old = (await reader.containers(primary, app.service)).find((c) => c.state !== 'running' && c.name.includes('_replaced_'))!
    expect(old, 'app boot left the replaced container stopped').toBeDefined()
    await reader.sh(primary, 'docker start "$1" >/dev/null', old.id)
    const found = await cli('app', 'stale-containers', '--hosts', primary.address)
    ok(found)
    expect(found.stdout).toContain(`[${primary.address}] web: stale: ${old.name}`)
    ok(await cli('app', 'stale-containers', '--stop', '--hosts', primary.address))
    expect((await running(primary)).map((c) => c.name)).toEqual([`${app.service}-web-v1`])
  })

  it('proxy details shows kamal-proxy and the route; audit shows what happened, per host', async () => {
    const [proxy, audit] = await Promise.all([cli('proxy', 'details'), cli('audit', '--json')])
    ok(proxy)
    ok(audit)
    for (const h of hosts) expect(proxy.stdout).toMatch(new RegExp(`\\[${h.address.replace(/\./g, '\\.')}\\] ${app.service}-web .*${app.proxyHost}`))
    const lines = json<{ hosts: { host: string; lines: string[] }[] }>(audit).hosts
    for (const h of lines) {
      const text = h.lines.join('\n')
      expect(text).toMatch(/Booted app version v1/)
      expect(text).toMatch(/Rebooted app version v1/)
      expect(text).toMatch(/Stopped app containers/)
      expect(text).toMatch(/Maintenance mode on/)
    }
  })

  it('--lock-wait waits for a held lock, naming its holder, and goes on once it is released', async () => {
    const details = Buffer.from(`Locked by: da-holder@elsewhere at 2026-01-01T00:00:00Z\nVersion: v0\nMessage: holding for the test\n`).toString('base64')
    await reader.sh(primary, 'mkdir -p ".kamal/lock-$1" && printf "%s\\n" "$2" > ".kamal/lock-$1/details"', app.service, details)
    const held = await cli('prune')
    expect(held.code, describeRun(held)).toBe(1)
    expect(held.stderr).toMatch(/deploy lock .* is held: .*da-holder@elsewhere/)
    const run = startCutover(['prune', '--lock-wait', '30', '-c', 'config/deploy.yml', '--known-hosts', testbed.ssh.knownHostsPath, '--ssh-key', testbed.ssh.keyPath], { cwd: app.dir, env: app.env(), timeoutMs: 60_000 })
    await run.waitForStderr(/waiting for the deploy lock .*da-holder@elsewhere/, 20_000)
    await reader.sh(primary, 'rm -rf ".kamal/lock-$1"', app.service)
    const r = await run.done
    runs.push(r)
    ok(r)
    expect(r.stdout).toContain(`[${primary.address}] prune dangling images`)
  })

  it('no secret in any output of any run', () => {
    for (const r of runs) for (const s of app.secretValues()) expect(everything(r)).not.toContain(s)
    for (const line of app.trace()) for (const s of app.secretValues()) expect(line.command).not.toContain(s)
  })
})
