import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TestApp } from './support/app.js'
import { everything } from './support/cli.js'
import { HostReader, hosts } from './support/hosts.js'
import { testbed } from './testbed.js'

// `cutover registry login|logout` through the bundled CLI: here (a private DOCKER_CONFIG, so the
// machine's own login is left alone) and on every testbed host.

const app = new TestApp('registry')
app.configure({})
const reader = new HostReader()
const localConfig = mkdtempSync(join(tmpdir(), 'cutover-registry-cli-'))
const server = testbed.registry.server
const hostAuth = (h: (typeof hosts)[number]) => reader.sh(h, 'cat ~/.docker/config.json 2>/dev/null || echo "{}"').then((t) => Object.keys((JSON.parse(t) as { auths?: Record<string, unknown> }).auths ?? {}))

afterAll(async () => {
  await app.runWithEnv(['registry', 'logout'], { DOCKER_CONFIG: localConfig }).catch(() => undefined)
  await reader.close()
})

describe('cutover registry', () => {
  it('login: here (a private DOCKER_CONFIG) and on every host, the password on stdin only', async () => {
    const r = await app.runWithEnv(['registry', 'login'], { DOCKER_CONFIG: localConfig })
    expect(r.code, everything(r)).toBe(0)
    expect(r.stderr).toContain(`logged in to ${server} here`)
    for (const h of hosts) expect(r.stderr).toContain(`[${h.address}] logged in to ${server}`)
    for (const h of hosts) expect(await hostAuth(h)).toContain(server)
    expect(Object.keys((JSON.parse(readFileSync(join(localConfig, 'config.json'), 'utf8')) as { auths: object }).auths)).toContain(server)
    // The password went on stdin: each host got one `docker login … --password-stdin`, and no
    // command held a secret value. (The trace never holds a value itself: a leaked one is written
    // as [redacted] and its line flagged `redacted`, so that flag is what shows a leak.)
    const trace = app.trace()
    expect(trace.filter((l) => l.redacted), 'commands that held a secret value').toEqual([])
    const login = new RegExp(`(^| )docker login ${server.replace(/\./g, '\\.')} --username ${testbed.registry.username} --password-stdin$`)
    expect(trace.filter((l) => login.test(l.command)).map((l) => l.host).sort(), JSON.stringify(trace)).toEqual(hosts.map((h) => h.address).sort())
  })

  it('logout: here and on every host', async () => {
    const r = await app.runWithEnv(['registry', 'logout'], { DOCKER_CONFIG: localConfig })
    expect(r.code, everything(r)).toBe(0)
    for (const h of hosts) expect(await hostAuth(h)).not.toContain(server)
    expect(Object.keys((JSON.parse(readFileSync(join(localConfig, 'config.json'), 'utf8')) as { auths?: object }).auths ?? {})).not.toContain(server)
  })

  it('a wrong password fails on every host, naming the registry and the fix, never the password', async () => {
    const wrong = `wrong-${Date.now()}`
    const r = await app.runWithEnv(['registry', 'login', '--skip-local'], { KAMAL_REGISTRY_PASSWORD: wrong })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${hosts.length} of ${hosts.length} hosts failed`)
    expect(r.stderr).toMatch(new RegExp(`Registry ${server.replace(/\./g, '\\.')} rejected the login.*Fix: check registry.username`))
    expect(everything(r)).not.toContain(wrong)
    expect(app.trace().filter((l) => l.redacted), 'commands that held a secret value').toEqual([])
  })
})

