import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig, type SecretNeeds } from '../../../src/config/index.js'
import { previewConfig } from '../../../src/engine/preview.js'
import { hostTargets } from '../../../src/engine/targets.js'
import { cfg, CWD, errorsOf, loadFrom, okOf } from './helpers.js'

const D = 'config/deploy.yml'
const KEY = 'ssh-key-Sentinel'
// Every kind of secret a config can name: ssh.key_data, the registry password, builder.secrets,
// production env (root and role), a TLS certificate, and the preview's own env.
const CONFIG = (inherit = false) =>
  cfg(`servers:
  web:
    hosts: [10.0.0.1]
    env:
      secret: [WEB_ONLY]
ssh:
  key_data: [SSH_KEY]
builder:
  secrets: [NPM_TOKEN]
env:
  secret: [DATABASE_URL]
proxy:
  host: app.example.com
  ssl:
    certificate_pem: CERT_PEM
    private_key_pem: KEY_PEM
x-cutover:
  preview:
    host: pr-{number}.preview.example.com
    inherit_secrets: ${inherit}
    env:
      secret: [DATABASE_URL:PREVIEW_DATABASE_URL]`)

const ALL = {
  SSH_KEY: KEY,
  KAMAL_REGISTRY_PASSWORD: 'reg-Sentinel',
  NPM_TOKEN: 'npm-Sentinel',
  DATABASE_URL: 'prod-db-Sentinel',
  WEB_ONLY: 'web-Sentinel',
  CERT_PEM: 'cert-Sentinel',
  KEY_PEM: 'tlskey-Sentinel',
  PREVIEW_DATABASE_URL: 'preview-db-Sentinel',
}
const only = (...names: (keyof typeof ALL)[]) => Object.fromEntries(names.map((n) => [n, ALL[n]]))
const load = (needs: SecretNeeds, env: Record<string, string>, inherit = false) => loadFrom({ [D]: CONFIG(inherit) }, { env, needs })

describe('loadConfig needs: which secrets a run resolves', () => {
  it('all (the default): every secret the config names is required', () => {
    expect(errorsOf(loadFrom({ [D]: CONFIG() }, { env: {} })).map((e) => e.keyPath).sort()).toEqual(
      ['builder/secrets/0', 'env/secret/0', 'proxy/ssl/certificate_pem', 'proxy/ssl/private_key_pem', 'registry/password/0', 'servers/web/env/secret/0', 'ssh/key_data/0', 'x-cutover/preview/env/secret/0'],
    )
    expect(okOf(load('all', ALL)).secrets.names().sort()).toEqual(Object.keys(ALL).sort())
  })

  it('production (deploy, rollback, plan): every secret but the preview\'s own env, so a preview-only secret never fails a production run', () => {
    const prod = only('SSH_KEY', 'KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'DATABASE_URL', 'WEB_ONLY', 'CERT_PEM', 'KEY_PEM')
    const r = okOf(load('production', prod))
    expect(r.secrets.names().sort()).toEqual(Object.keys(prod).sort())
    expect(r.secrets.has('PREVIEW_DATABASE_URL')).toBe(false)
    expect(errorsOf(load('production', {})).map((e) => e.keyPath).sort()).toEqual(
      ['builder/secrets/0', 'env/secret/0', 'proxy/ssl/certificate_pem', 'proxy/ssl/private_key_pem', 'registry/password/0', 'servers/web/env/secret/0', 'ssh/key_data/0'],
    )
  })

  it('production with the old top-level preview: its env secrets are left out too', () => {
    const text = CONFIG().replace('x-cutover:\n  preview:', 'preview:\n ').replace(/\n    /g, '\n   ')
    const r = loadFrom({ [D]: text }, { env: only('SSH_KEY', 'KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'DATABASE_URL', 'WEB_ONLY', 'CERT_PEM', 'KEY_PEM'), needs: 'production' })
    expect(r.ok ? [] : r.errors.map((e) => e.keyPath)).toEqual([])
    const all = loadFrom({ [D]: text }, { env: only('SSH_KEY', 'KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'DATABASE_URL', 'WEB_ONLY', 'CERT_PEM', 'KEY_PEM'), needs: 'all' })
    expect(all.ok ? [] : all.errors.map((e) => e.keyPath)).toEqual(['preview/env/secret/0'])
  })

  it('ssh (removals, the lock): only what reaches the hosts; no registry password, no env secrets', () => {
    const r = okOf(load('ssh', only('SSH_KEY')))
    expect(r.secrets.names()).toEqual(['SSH_KEY'])
    expect(r.secrets.has('KAMAL_REGISTRY_PASSWORD')).toBe(false)
    expect(() => r.secrets.get('DATABASE_URL')).toThrow(/was not loaded/)
    expect(errorsOf(load('ssh', {})).map((e) => e.keyPath)).toEqual(['ssh/key_data/0'])
  })

  it('ssh with no ssh.key_data resolves nothing: no secrets file is read, none of its commands runs', () => {
    const files = { [D]: cfg(), '.kamal/secrets': 'KAMAL_REGISTRY_PASSWORD=$(exit 3)\n' }
    const read: string[] = []
    const r = loadConfig({ ...inMemory(files, read), needs: 'ssh' })
    expect(r.ok).toBe(true)
    expect(read.filter((p) => p.includes('.kamal'))).toEqual([])
  })

  it('preview: ssh keys, registry password, builder secrets and preview.env; production env and certificates stay unresolved', () => {
    const r = okOf(load('preview', only('SSH_KEY', 'KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'PREVIEW_DATABASE_URL')))
    expect(r.secrets.names().sort()).toEqual(['KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'PREVIEW_DATABASE_URL', 'SSH_KEY'])
    expect(errorsOf(load('preview', {})).map((e) => e.keyPath).sort()).toEqual(['builder/secrets/0', 'registry/password/0', 'ssh/key_data/0', 'x-cutover/preview/env/secret/0'])
  })

  it('preview with inherit_secrets: the primary role\'s production env secrets too (what preview.env inherits)', () => {
    const errors = errorsOf(load('preview', only('SSH_KEY', 'KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'PREVIEW_DATABASE_URL'), true))
    // DATABASE_URL is overridden by the preview's own value; WEB_ONLY is inherited from the web role.
    expect(errors.map((e) => e.keyPath)).toEqual(['servers/web/env/secret/0'])
    expect(okOf(load('preview', only('SSH_KEY', 'KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'PREVIEW_DATABASE_URL', 'WEB_ONLY'), true)).secrets.has('WEB_ONLY')).toBe(true)
  })

  it('a preview\'s host targets read only the preview\'s env, so the engine never asks for an unloaded production secret', () => {
    const { config, secrets } = okOf(load('preview', only('SSH_KEY', 'KAMAL_REGISTRY_PASSWORD', 'NPM_TOKEN', 'PREVIEW_DATABASE_URL')))
    const targets = hostTargets({ config: previewConfig(config, 7), secrets, version: 'v1', imageId: `sha256:${'a'.repeat(64)}`, run: { performer: 'me', at: '2026-01-01T00:00:00.000Z', nonce: '0123456789abcdef' } })
    expect(targets.flatMap((t) => t.roles.map((r) => r.env.secret))).toEqual([{ DATABASE_URL: 'preview-db-Sentinel' }])
  })

  it('a registry password given outside the config (the Action input) is kept in every scope', () => {
    const r = okOf(loadFrom({ [D]: CONFIG() }, { env: only('SSH_KEY'), needs: 'ssh', registryOverride: { password: { name: 'registry-password input', value: 'in-Sentinel' } } }))
    expect(r.secrets.redact('x in-Sentinel')).toBe('x [redacted]')
  })
})

describe('missing-secret hints', () => {
  const hints = { env: (n: string) => `${n} in the secrets input`, instead: (k: string) => (k === 'registry/password/0' ? 'the registry-password input' : undefined) }

  it('without a secrets file: the caller\'s words, and the alternative input for the registry password', () => {
    const errors = errorsOf(loadFrom({ [D]: cfg('env:\n  secret: [DATABASE_URL]') }, { env: {}, secretHints: hints }))
    expect(errors.map((e) => [e.keyPath, e.expected])).toEqual([
      ['registry/password/0', 'the registry-password input, or KAMAL_REGISTRY_PASSWORD in the secrets input, or a line KAMAL_REGISTRY_PASSWORD=… in .kamal/secrets'],
      ['env/secret/0', 'DATABASE_URL in the secrets input, or a line DATABASE_URL=… in .kamal/secrets'],
    ])
  })

  it('with a secrets file', () => {
    const files = { [D]: cfg('env:\n  secret: [DATABASE_URL]'), '.kamal/secrets': 'KAMAL_REGISTRY_PASSWORD=$REG\n' }
    const errors = errorsOf(loadFrom(files, { env: {}, secretHints: hints }))
    expect(errors.map((e) => [e.keyPath, e.expected])).toEqual([
      ['registry/password/0', 'the registry-password input, or a value for REG in the secrets input'],
      ['env/secret/0', 'a line DATABASE_URL=… in .kamal/secrets (DATABASE_URL=$DATABASE_URL reads DATABASE_URL in the secrets input)'],
    ])
  })

  it('the default wording names environment variables (the CLI)', () => {
    const errors = errorsOf(loadFrom({ [D]: cfg() }, { env: {} }))
    expect(errors[0]!.expected).toBe('the environment variable KAMAL_REGISTRY_PASSWORD, or a line KAMAL_REGISTRY_PASSWORD=… in .kamal/secrets')
  })
})

describe('files that exist but cannot be read', () => {
  it.each([
    ['.kamal/secrets', (dir: string) => mkdirSync(join(dir, '.kamal', 'secrets'), { recursive: true }), { file: '.kamal/secrets', keyPath: '', message: 'is a directory, not a file' }],
    [D, (dir: string) => mkdirSync(join(dir, D), { recursive: true }), { file: D, keyPath: '', message: 'is a directory, not a file' }],
  ])('%s as a directory is an error naming the file, not "no file"', (_, make, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-unreadable-'))
    make(dir)
    mkdirSync(join(dir, 'config'), { recursive: true })
    try {
      writeFileSync(join(dir, D), cfg())
    } catch {
      // D itself is the directory in the second case.
    }
    const r = loadConfig({ cwd: dir, env: { KAMAL_REGISTRY_PASSWORD: 'x' } })
    expect(r.ok).toBe(false)
    expect(r.ok ? [] : r.errors).toEqual([expect.objectContaining(expected)])
  })
})

/** In-memory files as loadFrom has them, recording every path read. */
function inMemory(files: Record<string, string>, read: string[]) {
  return {
    cwd: CWD,
    env: {},
    readFile: (p: string) => {
      read.push(p)
      return files[relative(CWD, p)]
    },
  }
}
