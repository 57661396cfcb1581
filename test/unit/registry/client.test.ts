import { mkdirSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MANIFEST_MEDIA_TYPES, RegistryError, createRegistryClient } from '../../../src/registry/client.js'
import type { RegistryInput } from '../../../src/registry/types.js'
import { startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from './registry-server.js'
import { tempDir } from '../image/git-fixture.js'
import { makePki, type TestPki } from './tls-fixture.js'

// Real HTTP and real TLS on 127.0.0.1: a registry written for these tests, a CA made with openssl.
const PASSWORD = 'pa:ss-wörd-s3cret'
const USERS = { deployer: PASSWORD }
const [DOCKER_V2, OCI_INDEX] = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.index.v1+json']
const MANIFESTS = { 'acme/app:v1': DOCKER_V2, 'acme/app:multi': OCI_INDEX, 'acme/app:list': 'application/vnd.docker.distribution.manifest.list.v2+json', 'acme/app:oci': 'application/vnd.oci.image.manifest.v1+json' }

let tmp: ReturnType<typeof tempDir>
let pki: TestPki
let wrongHostPki: TestPki
let servers: FakeRegistry[] = []
beforeAll(() => {
  tmp = tempDir()
  pki = makePki(tmp.path, ['IP:127.0.0.1', 'DNS:localhost'])
  const other = join(tmp.path, 'other')
  mkdirSync(other)
  wrongHostPki = makePki(other, ['DNS:registry.other.test'])
})
afterAll(() => tmp.remove())
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function serve(options: Partial<FakeRegistryOptions> & Pick<FakeRegistryOptions, 'auth'>): Promise<FakeRegistry> {
  const server = await startFakeRegistry({ users: USERS, manifests: MANIFESTS, tls: { key: pki.key, cert: pki.cert }, ...options })
  servers.push(server)
  return server
}
const input = (server: FakeRegistry, extra: Partial<RegistryInput> = {}): RegistryInput => ({ server: server.host, username: 'deployer', password: PASSWORD, caFile: pki.caFile, ...extra })
const errorOf = async (p: Promise<unknown>): Promise<RegistryError> => {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(RegistryError)
  return e as RegistryError
}
/** Every error must name the registry and must never carry the password, in any form. */
function expectSafe(error: Error, host: string): void {
  expect(error.message).toContain(host)
  for (const form of [PASSWORD, Buffer.from(`deployer:${PASSWORD}`).toString('base64'), 's3cret']) expect(error.message).not.toContain(form)
}

describe.each(['bearer', 'basic'] as const)('manifest HEAD with %s auth over TLS', (auth) => {
  it.each(Object.keys(MANIFESTS))('finds %s (every manifest media type is accepted)', async (ref) => {
    const server = await serve({ auth })
    const client = await createRegistryClient(input(server))
    const [image, tag] = ref.split(':') as [string, string]
    expect(await client.hasManifest(image, tag)).toBe(true)
  })

  it('returns the content digest the registry reports, distinct per manifest', async () => {
    const server = await serve({ auth })
    const client = await createRegistryClient(input(server))
    const digests = await Promise.all(Object.keys(MANIFESTS).map((ref) => client.manifestDigest(...(ref.split(':') as [string, string]))))
    for (const d of digests) expect(d).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(new Set(digests).size).toBe(digests.length)
    expect(await client.manifestDigest('acme/app', 'v2')).toBeNull()
  })

  it('reads a 404 as absent', async () => {
    const server = await serve({ auth })
    const client = await createRegistryClient(input(server))
    expect(await client.hasManifest('acme/app', 'v2')).toBe(false)
    expect(await client.hasManifest('acme/other', 'v1')).toBe(false)
  })

  it('a wrong password is an error naming the registry and the fix, never "absent"', async () => {
    const server = await serve({ auth, echoCredentials: true })
    const client = await createRegistryClient(input(server, { password: 'wrong-s3cret', passwordSource: 'the KAMAL_REGISTRY_PASSWORD secret' }))
    const error = await errorOf(client.hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('auth')
    expect(error.message).toMatch(/rejected the credentials|refused the credentials/)
    expect(error.message).toContain('as user "deployer"')
    expect(error.message).toContain('Fix: check registry.username and the KAMAL_REGISTRY_PASSWORD secret')
    expect(error.message).not.toContain('wrong-s3cret')
    expectSafe(error, server.host)
  })

  it('a 403 (no access to the repository) is an error, never "absent"', async () => {
    const server = await serve({ auth, forbidden: ['acme/app'] })
    const client = await createRegistryClient(input(server))
    const error = await errorOf(client.hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('auth')
    expect(error.message).toContain('HTTP 403')
    expectSafe(error, server.host)
  })

  it('no credentials against a registry that needs them is an error, never "absent"', async () => {
    const server = await serve({ auth })
    const client = await createRegistryClient(input(server, { username: undefined, password: undefined }))
    const error = await errorOf(client.hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('auth')
    expect(error.message).toMatch(/registry.username|credentials/)
  })
})

describe('the Bearer token flow', () => {
  it('follows the challenge: unauthenticated HEAD, token with Basic credentials, HEAD with the token', async () => {
    const server = await serve({ auth: 'bearer' })
    const client = await createRegistryClient(input(server))
    expect(await client.hasManifest('acme/app', 'v1')).toBe(true)

    const basic = `Basic ${Buffer.from(`deployer:${PASSWORD}`).toString('base64')}`
    expect(server.requests.map((r) => [r.method, r.path.split('?')[0], r.authorization?.split(' ')[0]])).toEqual([
      ['HEAD', '/v2/acme/app/manifests/v1', undefined],
      ['GET', '/token', 'Basic'],
      ['HEAD', '/v2/acme/app/manifests/v1', 'Bearer'],
    ])
    const tokenRequest = new URL(server.requests[1]!.path, 'https://x')
    expect(tokenRequest.searchParams.get('service')).toBe('fake-registry')
    expect(tokenRequest.searchParams.get('scope')).toBe('repository:acme/app:pull')
    // The password goes to the token service only, never to the registry API itself.
    expect(server.requests.filter((r) => r.authorization === basic).map((r) => r.path.split('?')[0])).toEqual(['/token'])
    expect(server.requests[2]!.accept).toBe(MANIFEST_MEDIA_TYPES.join(', '))
  })

  it('reuses a token for the same scope', async () => {
    const server = await serve({ auth: 'bearer' })
    const client = await createRegistryClient(input(server))
    await client.hasManifest('acme/app', 'v1')
    await client.hasManifest('acme/app', 'v2')
    expect(server.requests.filter((r) => r.path.startsWith('/token'))).toHaveLength(1)
  })

  it('refuses to send the password to a plain-HTTP token service', async () => {
    const server = await serve({ auth: 'bearer', realmOverride: 'http://127.0.0.1:9/token' })
    const client = await createRegistryClient(input(server))
    const error = await errorOf(client.hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('config')
    expect(error.message).toContain('refuses to send your password unencrypted')
  })
})

describe('plain HTTP registry (insecureHttp)', () => {
  it('works with Basic auth', async () => {
    const server = await serve({ auth: 'basic', tls: undefined })
    const client = await createRegistryClient(input(server, { insecureHttp: true, caFile: undefined }))
    expect(await client.hasManifest('acme/app', 'v1')).toBe(true)
    expect(await client.hasManifest('acme/app', 'nope')).toBe(false)
    expect(server.requests.map((r) => r.authorization?.split(' ')[0])).toEqual([undefined, 'Basic', undefined, 'Basic'])
  })

  it('works without auth', async () => {
    const server = await serve({ auth: 'none', tls: undefined })
    const client = await createRegistryClient({ server: server.host, insecureHttp: true })
    expect(await client.hasManifest('acme/app', 'v1')).toBe(true)
  })
})

describe('transport failures name the registry and the fix', () => {
  it('TLS trust failure without the CA file', async () => {
    const server = await serve({ auth: 'basic' })
    const error = await errorOf((await createRegistryClient(input(server, { caFile: undefined }))).hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('tls')
    expect(error.message).toMatch(/Cannot verify the TLS connection to registry 127\.0\.0\.1:\d+ .* Fix: point the registry CA option at the PEM/)
    expectSafe(error, server.host)
  })

  it('TLS failure when the certificate names another host', async () => {
    const server = await serve({ auth: 'basic', tls: { key: wrongHostPki.key, cert: wrongHostPki.cert } })
    const error = await errorOf((await createRegistryClient(input(server, { caFile: wrongHostPki.caFile }))).hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('tls')
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID')
    expect(error.message).toContain('check the certificate names 127.0.0.1')
  })

  it('HTTPS to a plain-HTTP registry', async () => {
    const server = await serve({ auth: 'none', tls: undefined })
    const error = await errorOf((await createRegistryClient(input(server))).hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('tls')
    expect(error.message).toContain('If the registry serves plain HTTP, mark it as insecure')
  })

  it('unreachable registry', async () => {
    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((r) => closed.close(() => r()))
    const client = await createRegistryClient({ server: `127.0.0.1:${port}`, username: 'deployer', password: PASSWORD, caFile: pki.caFile })
    const error = await errorOf(client.hasManifest('acme/app', 'v1'))
    expect(error.failure).toBe('unreachable')
    expect(error.message).toMatch(/Cannot reach registry 127\.0\.0\.1:\d+ at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED.*Fix: check registry.server/)
    expectSafe(error, `127.0.0.1:${port}`)
  })

  it('a registry that never answers times out as unreachable', async () => {
    const silent = http.createServer(() => undefined)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const { port } = silent.address() as AddressInfo
    try {
      const client = await createRegistryClient({ server: `127.0.0.1:${port}`, insecureHttp: true }, { timeoutMs: 200 })
      const error = await errorOf(client.hasManifest('acme/app', 'v1'))
      expect(error.failure).toBe('unreachable')
      expect(error.message).toContain('no answer within 200 ms')
    } finally {
      silent.closeAllConnections()
      await new Promise<void>((r) => silent.close(() => r()))
    }
  })

  it.each([
    ['a missing CA file', (dir: string) => join(dir, 'nope.pem'), /Cannot read the registry CA file .*nope\.pem \(ENOENT\)/],
    ['a CA file that is not PEM', (dir: string) => {
      writeFileSync(join(dir, 'junk.pem'), 'hello')
      return join(dir, 'junk.pem')
    }, /holds no PEM certificate/],
  ])('%s', async (_name, makePath, expected) => {
    const error = await errorOf(createRegistryClient({ server: 'registry.test', caFile: makePath(tmp.path) }))
    expect(error.failure).toBe('config')
    expect(error.message).toMatch(expected)
  })
})
