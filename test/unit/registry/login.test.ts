import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Argv } from '../../../src/argv/shell-join.js'
import * as registryCommands from '../../../src/argv/registry.js'
import { execLocal, type LocalExec } from '../../../src/local-exec.js'
import { explainLoginFailure, loginLocally, loginOnHost, logoutLocally } from '../../../src/registry/login.js'
import { RegistryError } from '../../../src/registry/client.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { describeWithDocker } from '../helpers/docker-clients.js'
import { startFakeRegistry, type FakeRegistry } from './registry-server.js'

describe('login/logout argv', () => {
  it.each([
    [registryCommands.login('registry.test:5443', 'deployer'), ['docker', 'login', 'registry.test:5443', '--username', 'deployer', '--password-stdin']],
    [registryCommands.login(undefined, 'deployer', '/usr/bin/docker'), ['/usr/bin/docker', 'login', '--username', 'deployer', '--password-stdin']],
    [registryCommands.logout('ghcr.io'), ['docker', 'logout', 'ghcr.io']],
    [registryCommands.logout(undefined), ['docker', 'logout']],
  ])('%j', (argv, expected) => {
    expect(argv).toEqual(expected)
  })
})

describe('explainLoginFailure (docker client and daemon wording)', () => {
  const registry = { server: 'registry.test:5443', username: 'deployer', password: 'hunter2-secret' }
  it.each([
    ['Error response from daemon: Get "https://registry.test:5443/v2/": unauthorized: incorrect username or password', 'auth'],
    ['login attempt to http://registry.test:5443/v2/ failed with status: 401 Unauthorized', 'auth'],
    ['Error response from daemon: Get "https://registry.test:5443/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority', 'tls'],
    ['Error response from daemon: Get "https://registry.test:5443/v2/": dial tcp 10.0.0.9:5443: connect: connection refused', 'unreachable'],
    ['Error response from daemon: Get "https://registry.test:5443/v2/": dial tcp: lookup registry.test: no such host', 'unreachable'],
    ['Error response from daemon: Get "https://registry.test:5443/v2/": context deadline exceeded', 'unreachable'],
    ['something else entirely', 'protocol'],
  ])('%s → %s', (stderr, failure) => {
    const error = explainLoginFailure(registry, 'vm1', { code: 1, stdout: '', stderr })
    expect(error.failure).toBe(failure)
    expect(error.message).toContain('registry.test:5443')
    expect(error.message).toContain('vm1')
  })

  it('never repeats the password, even when docker echoes it', () => {
    const error = explainLoginFailure(registry, 'vm1', { code: 1, stdout: '', stderr: 'unauthorized: bad password hunter2-secret' })
    expect(error.message).not.toContain('hunter2-secret')
    expect(error.message).toContain('[redacted]')
  })
})

describe('loginLocally without credentials', () => {
  it('fails before anything runs (no docker client needed)', async () => {
    const calls: Argv[] = []
    const exec: LocalExec = async (argv) => {
      calls.push(argv)
      return { code: 0, stdout: '', stderr: '' }
    }
    await expect(loginLocally({ server: 'r.test', password: 'x' }, { exec })).rejects.toThrow(/registry.username is not set/)
    await expect(loginLocally({ server: 'r.test', username: 'u', passwordSource: 'the KAMAL_REGISTRY_PASSWORD secret' }, { exec })).rejects.toThrow(/the KAMAL_REGISTRY_PASSWORD secret is empty/)
    expect(calls).toEqual([])
  })
})

// The real docker client (no daemon here): with DOCKER_HOST pointing nowhere, `docker login`
// logs in client-side, talking to the registry itself. 127.0.0.0/8 counts as an insecure
// registry for docker, so these run over plain HTTP; TLS trust is covered by registry.test.ts.
// Without that client: skipped outside CI, a failure under CI=true (see describeWithDocker).
describeWithDocker('login with the real docker client against a local registry', () => {
  const PASSWORD = 'pw-with-$pecial\'chars"'
  let registry: FakeRegistry
  let dockerConfig: string
  const calls: Argv[] = []
  const exec: LocalExec = (argv, options) => {
    calls.push(argv)
    return execLocal(argv, { ...options, env: { ...options?.env, DOCKER_CONFIG: dockerConfig, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } })
  }
  /** A stand-in RemoteHost that runs commands here: the same docker client a host would run. */
  const host: RemoteHost = {
    name: 'vm-local',
    exec: (argv, options) => exec(argv, { stdin: options?.stdin, timeoutMs: options?.timeoutMs }),
    upload: async () => undefined,
    close: async () => undefined,
  }
  beforeEach(() => {
    dockerConfig = mkdtempSync(join(tmpdir(), 'cutover-docker-config-'))
    calls.length = 0
  })
  afterEach(async () => {
    await registry?.close()
    rmSync(dockerConfig, { recursive: true, force: true })
  })

  it.each(['basic', 'bearer'] as const)('logs in (%s auth) with the password on stdin only, then logs out', async (auth) => {
    registry = await startFakeRegistry({ auth, users: { deployer: PASSWORD } })
    await loginLocally({ server: registry.host, username: 'deployer', password: PASSWORD }, { exec })
    const config = JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')) as { auths: Record<string, unknown> }
    expect(Object.keys(config.auths)).toContain(registry.host)
    expect(calls.flat().join(' ')).not.toContain(PASSWORD)

    await logoutLocally({ server: registry.host }, { exec })
    const after = JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')) as { auths: Record<string, unknown> }
    expect(Object.keys(after.auths)).not.toContain(registry.host)
  })

  it.each(['basic', 'bearer'] as const)('a wrong password (%s auth) is a clear auth error without the password', async (auth) => {
    registry = await startFakeRegistry({ auth, users: { deployer: PASSWORD }, echoCredentials: true })
    const error = await loginOnHost(host, { server: registry.host, username: 'deployer', password: 'not-the-password', passwordSource: 'the KAMAL_REGISTRY_PASSWORD secret' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect((error as RegistryError).failure).toBe('auth')
    expect((error as Error).message).toMatch(new RegExp(`Registry ${registry.host.replace(/\./g, '\\.')} rejected the login of user "deployer" on vm-local: .*Fix: check registry.username and the KAMAL_REGISTRY_PASSWORD secret`))
    expect((error as Error).message).not.toContain('not-the-password')
  })

  it('an unreachable registry is a clear error', async () => {
    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((r) => closed.close(() => r()))
    const error = await loginLocally({ server: `127.0.0.1:${port}`, username: 'deployer', password: PASSWORD }, { exec }).catch((e: unknown) => e)
    expect((error as RegistryError).failure).toBe('unreachable')
    expect((error as Error).message).toContain(`cannot reach registry 127.0.0.1:${port}`)
  })

})
