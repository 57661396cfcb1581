import { describe, expect, it } from 'vitest'
import { cfg, errorsOf, loadFrom, okOf } from './helpers.js'

const deploy = (text: string) => ({ 'config/deploy.yml': text })
const INPUT = 'registry-password input'

/** The Action's registry-username / registry-password inputs replace the config's credentials. */
describe('loadConfig registryOverride', () => {
  it('needs no KAMAL_REGISTRY_PASSWORD when the password is given: the override is the password, kept as a secret', () => {
    const r = okOf(loadFrom(deploy(cfg()), { env: {}, registryOverride: { password: { name: INPUT, value: 'from-input-Pa55' } } }))
    expect(r.config.registry).toEqual({ server: 'ghcr.io', local: false, username: 'my-user', password: { secret: INPUT } })
    expect(r.secrets.get(INPUT)).toBe('from-input-Pa55')
    expect(r.secrets.redact('login with from-input-Pa55')).not.toContain('from-input-Pa55')
  })

  it('replaces a username that names a secret, which then need not be set', () => {
    const r = okOf(loadFrom(deploy(cfg('registry:\n  server: ghcr.io\n  username:\n    - REG_USER\n  password:\n    - KAMAL_REGISTRY_PASSWORD')), { registryOverride: { username: 'bot' } }))
    expect(r.config.registry.username).toBe('bot')
    expect(r.config.registry.password).toEqual({ secret: 'KAMAL_REGISTRY_PASSWORD' })
  })

  it('still requires a secret the config uses elsewhere, even when it is also the registry password', () => {
    const text = cfg('env:\n  secret:\n    - KAMAL_REGISTRY_PASSWORD')
    const errors = errorsOf(loadFrom(deploy(text), { env: {}, registryOverride: { password: { name: INPUT, value: 'x-Pa55' } } }))
    expect(errors.map((e) => e.keyPath)).toEqual(['env/secret/0'])
  })

  it('without an override, a missing registry password secret is still an error', () => {
    expect(errorsOf(loadFrom(deploy(cfg()), { env: {}, registryOverride: {} })).map((e) => e.keyPath)).toEqual(['registry/password/0'])
  })
})
