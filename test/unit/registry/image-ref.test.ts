import { describe, expect, it } from 'vitest'
import { ImageRefError, imageRepository, registryTarget } from '../../../src/registry/image-ref.js'
import { parseWwwAuthenticate } from '../../../src/registry/www-authenticate.js'

describe('registryTarget', () => {
  it.each([
    // [registry.server, image] → where the API lives, the registry's name, the repository path
    [undefined, 'nginx', 'registry-1.docker.io', 'docker.io', 'library/nginx'],
    [undefined, 'acme/app', 'registry-1.docker.io', 'docker.io', 'acme/app'],
    ['docker.io', 'acme/app', 'registry-1.docker.io', 'docker.io', 'acme/app'],
    ['index.docker.io', 'redis', 'registry-1.docker.io', 'docker.io', 'library/redis'],
    [undefined, 'docker.io/library/nginx', 'registry-1.docker.io', 'docker.io', 'library/nginx'],
    ['ghcr.io', 'acme/app', 'ghcr.io', 'ghcr.io', 'acme/app'],
    [undefined, 'ghcr.io/acme/app', 'ghcr.io', 'ghcr.io', 'acme/app'],
    ['ghcr.io', 'ghcr.io/acme/app', 'ghcr.io', 'ghcr.io', 'acme/app'],
    ['registry.test:5443', 'app', 'registry.test:5443', 'registry.test:5443', 'app'],
    ['localhost', 'team/app', 'localhost', 'localhost', 'team/app'],
    ['127.0.0.1:5000', 'a/b/c', '127.0.0.1:5000', '127.0.0.1:5000', 'a/b/c'],
    ['registry.test/', 'app', 'registry.test', 'registry.test', 'app'],
  ])('server %j + image %j → %s, %s, %s', (server, image, apiHost, registry, repository) => {
    expect(registryTarget({ server }, image)).toEqual({ apiHost, registry, repository })
  })

  it.each([
    [undefined, 'acme/app:v1', /must not carry a tag or digest/],
    ['ghcr.io', 'acme/app@sha256:abc', /must not carry a tag or digest/],
    ['ghcr.io', 'Acme/App', /not a valid repository name \(at 'Acme'\)/],
    ['ghcr.io', 'acme//app', /not a valid repository name/],
    ['ghcr.io', '', /not a valid repository name/],
  ])('server %j + image %j is refused', (server, image, expected) => {
    expect(() => registryTarget({ server }, image)).toThrow(ImageRefError)
    expect(() => registryTarget({ server }, image)).toThrow(expected)
  })
})

describe('imageRepository (the name docker tags use)', () => {
  it.each([
    [undefined, 'acme/app', 'acme/app'],
    ['docker.io', 'acme/app', 'acme/app'],
    ['ghcr.io', 'acme/app', 'ghcr.io/acme/app'],
    ['ghcr.io', 'ghcr.io/acme/app', 'ghcr.io/acme/app'],
    ['registry.test:5443', 'app', 'registry.test:5443/app'],
  ])('server %j + image %j → %s', (server, image, expected) => {
    expect(imageRepository({ server }, image)).toBe(expected)
  })
})

describe('parseWwwAuthenticate', () => {
  it.each([
    [undefined, []],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } }],
    ],
    // A quoted scope holding a comma, an escaped quote, and a bare token value.
    [
      'Bearer realm="https://ghcr.io/token", scope="repository:a/b:pull,push", error=insufficient_scope, x="q\\"t"',
      [{ scheme: 'bearer', params: { realm: 'https://ghcr.io/token', scope: 'repository:a/b:pull,push', error: 'insufficient_scope', x: 'q"t' } }],
    ],
    ['Basic realm="a", Bearer realm="b"', [{ scheme: 'basic', params: { realm: 'a' } }, { scheme: 'bearer', params: { realm: 'b' } }]],
    ['BEARER Realm="x"', [{ scheme: 'bearer', params: { realm: 'x' } }]],
  ])('%j', (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected)
  })
})
