import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeRun, TestApp, type DeployRun } from './support/app.js'
import { everything, type CliRun } from './support/cli.js'
import { HostReader, hosts, type Container, type TestHost } from './support/hosts.js'
import { version } from './support/http.js'

/**
 * Env values and the settings digest, through the bundled CLI: hostile values reach the
 * container byte for byte (read back from /proc/1/environ), a changed clear value or secret
 * redeploys, nothing changed does not, and no secret value shows anywhere.
 */

const app = new TestApp('env')
const reader = new HostReader()
const token = () => randomBytes(5).toString('hex')

/** Clear env travels as `--env K=V` in argv: anything but NUL must arrive intact, newlines included. */
const HOSTILE_CLEAR: Record<string, string> = {
  QUOTES: `it's "double" and 'single' and \\"escaped\\"`,
  SUBSTITUTION: '$(touch /tmp/cutover-pwned) ${HOME} $HOME $((1+1))',
  BACKTICKS: '`id` and `touch /tmp/cutover-pwned`',
  NEWLINES: 'line one\nline two\n\nline four\n',
  CARRIAGE: 'a\r\nb\rc',
  SPACES: '  leading, inner   and trailing  ',
  TABS: '\tx\ty\t',
  UNICODE: 'héllo wörld — ✓ 日本語 🚀 \u200b zero-width',
  SHELL: 'a;b|c&d>e<f*?[x]{y,z}~#!%^\\ end',
  DASHES: '--env=INJECTED=1',
  EQUALS: 'a=b==c',
  EMPTY: '',
  MARK: 'one',
}

/** Secrets go through a 0600 env file, each value escaped as Kamal writes it (a newline becomes `\\n`). */
const secretsV1: Record<string, string> = {
  SECRET_QUOTES: `p@ss "w'o\`rd" $(id) \${X} ${token()}`,
  SECRET_UNICODE: `пароль-🔑-${token()}`,
  SECRET_SPACES: `  spaced  secret ${token()}  `,
  SECRET_HASH: `abc #not-a-comment ${token()}`,
}

const runs: CliRun[] = []
/** Secret values in the form the env file holds them, and their lines; they must not show either. */
const escaped: string[] = []
async function deploy(): Promise<DeployRun> {
  const r = await app.deploy('v1')
  runs.push(r)
  return r
}
const actions = (r: DeployRun) => (r.json?.hosts ?? []).map((h) => h.action)
const serving = async (h: TestHost): Promise<Container> => {
  const running = (await reader.containers(h, app.service)).filter((c) => c.state === 'running')
  expect(running.length, `${h.name}: running containers of ${app.service}`).toBe(1)
  return running[0]!
}

/** Every variable in `want` is in the container's PID 1 environment with exactly these bytes. */
async function expectEnviron(h: TestHost, c: Container, want: Record<string, string>): Promise<void> {
  const env = await reader.environ(h, c.id)
  for (const [key, value] of Object.entries(want)) {
    const got = env.get(key)
    expect(got, `${h.name}: ${key} is in /proc/1/environ`).toBeDefined()
    expect(got!.equals(Buffer.from(value, 'utf8')), `${h.name}: ${key}: got ${JSON.stringify(got!.toString('utf8'))}, want ${JSON.stringify(value)}`).toBe(true)
  }
}

let secrets = { ...secretsV1 }
let clear = { ...HOSTILE_CLEAR }
/** Each host's serving container after the previous test. */
const before = new Map<string, Container>()

beforeAll(() => {
  app.configure({ clear, secrets, deployTimeout: 10 })
  app.buildImage('v1')
})

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
})

describe('env values and the settings digest', () => {
  it('hostile clear values (quotes, $(…), backticks, newlines, spaces, unicode) and secrets reach the container byte for byte', async () => {
    const r = await deploy()
    expect(r.code, describeRun(r)).toBe(0)
    expect(actions(r)).toEqual(hosts.map(() => 'booted'))
    for (const h of hosts) {
      const c = await serving(h)
      await expectEnviron(h, c, { ...clear, ...secrets, KAMAL_VERSION: 'v1', KAMAL_HOST: h.address })
      // Nothing was run by a shell on the host or in the container on the way: the file the
      // hostile values would touch exists in neither (`echo absent` proves the check itself ran).
      const probe = 'if [ -e /tmp/cutover-pwned ]; then echo present; else echo absent; fi'
      expect((await reader.sh(h, probe)).trim(), `${h.name}: /tmp/cutover-pwned on the host`).toBe('absent')
      expect((await reader.sh(h, 'docker exec "$1" sh -c "$2"', c.id, probe)).trim(), `${h.name}: /tmp/cutover-pwned in ${c.name}`).toBe('absent')
      before.set(h.name, c)
    }
  })

  it('nothing changed: unchanged', async () => {
    const r = await deploy()
    expect(r.code, describeRun(r)).toBe(0)
    expect(r.json?.changed).toBe(false)
    expect(actions(r)).toEqual(hosts.map(() => 'unchanged'))
  })

  it('changing only a clear env value redeploys', async () => {
    clear = { ...clear, MARK: 'two' }
    app.configure({ clear, secrets, deployTimeout: 10 })
    const r = await deploy()
    expect(r.code, describeRun(r)).toBe(0)
    expect(actions(r)).toEqual(hosts.map(() => 'replaced'))
    for (const h of hosts) {
      const c = await serving(h)
      expect(c.id, `${h.name}: a new container`).not.toBe(before.get(h.name)!.id)
      expect(c.digest).not.toBe(before.get(h.name)!.digest)
      // Same version: the old container stepped aside under a `_replaced_` name, then stopped.
      expect(c.name).toBe(`${app.service}-web-v1`)
      const old = (await reader.containers(h, app.service)).find((o) => o.id === before.get(h.name)!.id)
      expect(old?.state).toBe('exited')
      expect(old?.name).toMatch(new RegExp(`^${app.service}-web-v1_replaced_[0-9a-f]{16}$`))
      await expectEnviron(h, c, { MARK: 'two' })
      expect(await version(h.httpUrl, app.proxyHost)).toBe('v1')
      before.set(h.name, c)
    }
  })

  it('changing only a secret value redeploys', async () => {
    secrets = { ...secrets, SECRET_HASH: `rotated #${token()}` }
    app.configure({ clear, secrets, deployTimeout: 10 })
    const r = await deploy()
    expect(r.code, describeRun(r)).toBe(0)
    expect(actions(r)).toEqual(hosts.map(() => 'replaced'))
    for (const h of hosts) {
      const c = await serving(h)
      expect(c.id, `${h.name}: a new container`).not.toBe(before.get(h.name)!.id)
      await expectEnviron(h, c, { SECRET_HASH: secrets.SECRET_HASH!, MARK: 'two' })
      before.set(h.name, c)
    }
  })

  it('changing nothing after that: unchanged, same containers', async () => {
    const r = await deploy()
    expect(r.code, describeRun(r)).toBe(0)
    expect(actions(r)).toEqual(hosts.map(() => 'unchanged'))
    for (const h of hosts) expect((await serving(h)).id).toBe(before.get(h.name)!.id)
  })

  it('a secret value with a newline reaches the container as Kamal writes it: escaped to one env-file line (`\\n`)', async () => {
    const multiline = `first line ${token()}\nsecond line ${token()}`
    secrets = { ...secrets, SECRET_MULTILINE: multiline }
    app.configure({ clear, secrets, deployTimeout: 10 })
    const r = await deploy()
    expect(r.code, describeRun(r)).toBe(0)
    expect(actions(r)).toEqual(hosts.map(() => 'replaced'))
    for (const h of hosts) {
      const c = await serving(h)
      // Kamal's EnvFile bytes (kamal-interop.test.ts compares them with real Kamal's).
      await expectEnviron(h, c, { SECRET_MULTILINE: multiline.replace('\n', '\\n'), MARK: 'two' })
      before.set(h.name, c)
    }
    escaped.push(multiline.replace('\n', '\\n'), ...multiline.split('\n'))
  })

  it('no secret value (old or rotated) in stdout, stderr, the JSON results, or any command sent over SSH', () => {
    const values = [...new Set([...app.secretValues(), ...Object.values(secretsV1), ...escaped])]
    for (const r of runs) for (const s of values) expect(everything(r).includes(s), `a secret in a run's output:\n${describeRun(r)}`).toBe(false)
    const trace = app.trace()
    expect(trace.filter((l) => / docker run /.test(l.command)).length).toBe(hosts.length * 4)
    // A secret value in a command would be written to the trace as [redacted], its line flagged
    // `redacted` (the trace never holds a value), so the flag is the check.
    expect(trace.filter((l) => l.redacted), 'commands that held a secret value').toEqual([])
    // The hostile clear values did travel in commands (as quoted argv), which is where they belong.
    expect(trace.some((l) => l.command.includes('SUBSTITUTION=$(touch /tmp/cutover-pwned)'))).toBe(true)
  })
})
