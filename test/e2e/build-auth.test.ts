import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loginLocally, loginOnHost, RegistryError } from '../../src/registry/index.js'
import { prefixedLogger } from '../../src/log.js'
import { build, helloArgs, input, registryPassword, world } from './build-fixture.js'
import { pool, testbed } from './testbed.js'

// Bad password, issue 5: a wrong registry password gives a clear error naming the registry and
// the fix, and the password appears in no output: not in the error, the log, any command line,
// or anything a command printed.
const w = world({ buildx: true })
const p = pool()
afterAll(async () => {
  await p.closeAll()
  w.remove()
})

// Random each run, so a match can only come from the value we passed.
const wrong = `wrong-${randomBytes(9).toString('base64url')}`
const server = testbed.registry.server
const fix = 'Fix: check registry.username and the KAMAL_REGISTRY_PASSWORD secret.'
/** A logger that keeps every line, at every level, in `lines`. */
const silentLog = (lines: string[]) => prefixedLogger((level, line) => lines.push(`${level}: ${line}`))

const caught = async (fn: () => Promise<unknown>): Promise<Error> => {
  try {
    await fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a failure, got none')
}

/** Every text this test produced: nothing may hold the wrong password. */
const everything = (error: Error, lines: string[] = []) => [error.message, error.stack ?? '', ...lines, ...w.calls.flatMap((c) => [...c.argv, c.stdout, c.stderr])]

describe('a wrong registry password', () => {
  it('stops the build at the registry check, naming the registry and the fix', async () => {
    const sha = w.commit('a commit nobody can push')
    const buildInput = input('hello-auth', { args: helloArgs(sha) }, wrong)
    const lines: string[] = []
    const error = await caught(() => build(w, buildInput, { log: silentLog(lines) }))
    expect(error).toBeInstanceOf(RegistryError)
    expect((error as RegistryError).failure).toBe('auth')
    expect(error.message).toBe(
      `Registry ${server} refused the credentials as user "testbed" for ${server}/${buildInput.image.name}:${sha} (HTTP 401). ` +
        'Fix: check registry.username and the KAMAL_REGISTRY_PASSWORD secret; the account needs pull and push access to the repository.',
    )
    for (const text of everything(error, lines)) expect(text).not.toContain(wrong)
    // Nothing was built or pushed: no docker command ran.
    expect(w.calls.filter((c) => c.argv[0] === 'docker')).toEqual([])
  })

  it('fails `docker login` on this machine with the registry named and the fix, and stores nothing', async () => {
    const error = await caught(() => loginLocally(input('hello-auth', {}, wrong).registry, { exec: w.exec }))
    expect(error).toBeInstanceOf(RegistryError)
    expect((error as RegistryError).failure).toBe('auth')
    expect(error.message).toMatch(new RegExp(`^Registry ${server.replace(/\./g, '\\.')} rejected the login of user "testbed" on this machine: .+\\. ${fix.replace(/\./g, '\\.')}$`))
    // The password went on stdin, never on the command line.
    const login = w.calls.find((c) => c.argv.includes('login'))!
    expect(login.argv).toEqual(['docker', 'login', server, '--username', 'testbed', '--password-stdin'])
    for (const text of everything(error)) expect(text).not.toContain(wrong)
    const config = join(w.dockerConfig, 'config.json')
    expect(existsSync(config) ? readFileSync(config, 'utf8') : '').not.toContain(server)
  })

  it('fails `docker login` on a host, naming the host, the registry and the fix', async () => {
    const h = testbed.hosts[0]!
    const host = await p.host(`${h.address}:${h.sshPort}`, h.name)
    const error = await caught(() => loginOnHost(host, input('hello-auth', {}, wrong).registry))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.message).toMatch(new RegExp(`^Registry ${server.replace(/\./g, '\\.')} rejected the login of user "testbed" on ${h.name}: .+\\. ${fix.replace(/\./g, '\\.')}$`))
    expect(error.message).not.toContain(wrong)
  })

  it('is told apart from the right password (a control: the same calls succeed with it)', async () => {
    await loginLocally(input('hello-auth', {}, registryPassword).registry, { exec: w.exec })
    expect(readFileSync(join(w.dockerConfig, 'config.json'), 'utf8')).toContain(server)
  })
})
