import { describe, expect, it } from 'vitest'
import { EnvError } from '../../../src/argv/env-file.js'
import { DesiredStateError, observeQueryFor, validateDesired, type DesiredRole } from '../../../src/plan/desired.js'
import { containerHostname, desiredContainer } from '../../../src/plan/container.js'
import { desired } from './fixtures.js'

const SENTINEL = 'V4LUE-SENTINEL'

describe('validateDesired', () => {
  it.each<[string, Partial<DesiredRole>, string, RegExp]>([
    ['a version Docker cannot tag', { version: 'v1+build' }, 'version', /not a valid image tag/],
    ['a version starting with "-"', { version: '-v1' }, 'version', /not a valid image tag/],
    ['a service that makes a bad container name', { service: 'my app' }, 'service', /not valid for Docker/],
    ['no image id', { imageId: ' ' }, 'imageId', /resolve repository:version/],
    ['a short nonce', { run: { performer: 'p', at: 't', nonce: 'abc' } }, 'run.nonce', /16 lowercase hex/],
    ['retain 0', { retain: 0 }, 'retain_containers', /≥ 1/],
    ['a NUL in a clear value', { env: { clear: { K: `a\0${SENTINEL}` }, secret: {} } }, 'env.clear.K', /NUL/],
    ['a bad clear key', { env: { clear: { 'A B': SENTINEL }, secret: {} } }, 'env.clear.A B', /whitespace/],
    ['a secret that is not valid Unicode', { env: { clear: {}, secret: { TOKEN: `a\uD800${SENTINEL}` } } }, 'env.secret.TOKEN', /not valid Unicode/],
    ['a key both clear and secret', { env: { clear: { K: SENTINEL }, secret: { K: SENTINEL } } }, 'env.secret.K', /also in env.clear/],
  ])('refuses %s at %s', (_, over, path, problem) => {
    let error: unknown
    try {
      validateDesired(desired(over))
    } catch (e) {
      error = e
    }
    expect(error instanceof DesiredStateError || error instanceof EnvError).toBe(true)
    expect((error as DesiredStateError).path).toBe(path)
    expect((error as Error).message).toMatch(problem)
    expect((error as Error).message).not.toContain(SENTINEL)
  })

  it('accepts versions with "-" and "." (read back from labels, never from names)', () => {
    expect(() => validateDesired(desired({ version: '2025.01.02-rc-1' }))).not.toThrow()
  })

  it('newlines in clear values are fine: they travel in argv, not in the env file', () => {
    const c = desiredContainer(desired({ env: { clear: { MULTI: 'a\nb' }, secret: {} } }))
    expect(c.spec.env.MULTI).toBe('a\nb')
  })

  it('our labels win over custom ones with the same key', () => {
    const c = desiredContainer(desired({ labels: { service: 'spoof', role: 'spoof', team: 'a' } }))
    expect(c.spec.labels).toMatchObject({ service: 'app', role: 'web', team: 'a' })
  })

  it('restart in options sets the policy and is not passed twice', () => {
    const c = desiredContainer(desired({ options: { restart: 'always', cpus: 1 } }))
    expect(c.spec.restart).toBe('always')
    expect(c.spec.options).toEqual({ cpus: 1 })
  })
})

describe('containerHostname', () => {
  it.each([
    ['vm1', 'vm1-0123456789ab'],
    ['10.0.0.5:2222', '10.0.0.5-2222-0123456789ab'],
    ['a'.repeat(60) + '.example.com', `${'a'.repeat(51)}-0123456789ab`],
    ['host.', 'host-0123456789ab'],
  ])('%s → %s', (h, expected) => {
    expect(containerHostname(h, '0123456789abcdef')).toBe(expected)
  })
})

describe('helpers for the engine', () => {
  it('observeQueryFor names the repository and the lock (every container on the host is observed)', () => {
    expect(observeQueryFor(desired({ destination: 'prod' }))).toEqual({ look: 'full', repository: 'registry.test:5000/app', lockDir: '.kamal/lock-app-prod', pendingDir: '.kamal/cutover/pending/app-prod' })
    expect(observeQueryFor(desired(), 'first')).toEqual({ look: 'first', lockDir: '.kamal/lock-app', pendingDir: '.kamal/cutover/pending/app' })
  })
})
