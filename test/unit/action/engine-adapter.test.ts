/**
 * The real adapter (src/action/engine-adapter.ts) and the real maskDerived, with a recording
 * RunIO: what the Action masks, in which order, and which secrets each operation needs. The
 * only host is 127.0.0.1 on port 1, where nothing listens: a run that gets as far as the hosts
 * fails there at once, which is all these tests need to see (the config loaded).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utils } from 'ssh2'
import { describe, expect, it } from 'vitest'
import { createEnginePort } from '../../../src/action/engine-adapter.js'
import { EngineFailure, type RunIO, type Target } from '../../../src/action/engine-port.js'
import { masked, maskDerived } from '../../../src/action/mask.js'
import { loadConfigOrThrow } from '../../../src/config/index.js'
import type { DeployRequest } from '../../../src/engine/request.js'
import { prefixedLogger } from '../../../src/log.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const KEY = utils.generateKeyPairSync('ed25519')
const SECRETS = {
  DATABASE_URL: 'postgres://shop:db-Sentinel-1@db/shop',
  TLS_KEY: 'tls-line-one-Sentinel-2\ntls-line-two-Sentinel-3',
  KAMAL_REGISTRY_PASSWORD: 'reg-Sentinel-4',
  PREVIEW_DB: 'preview-Sentinel-5',
}

function app(extra = '', server = 'registry.test'): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-adapter-'))
  mkdirSync(join(dir, 'config'))
  writeFileSync(
    join(dir, 'config', 'deploy.yml'),
    `service: shop
image: acme/shop
servers:
  web:
    hosts: ["127.0.0.1:1"]
    env:
      secret: [TLS_KEY]
registry:
  server: ${server}
  username: deployer
  password: [KAMAL_REGISTRY_PASSWORD]
env:
  secret: [DATABASE_URL]
x-cutover:
  preview:
    host: pr-{number}.preview.test
    env:
      secret: [DATABASE_URL:PREVIEW_DB]
${extra}`,
  )
  return join(dir, 'config', 'deploy.yml')
}

/** A RunIO that records every mask and log line, in order, masks through the real `masked`. */
function recordingIO(): RunIO & { events: string[] } {
  const events: string[] = []
  const log = prefixedLogger((level, line) => events.push(`${level} ${line}`))
  return {
    events,
    log,
    phase: () => Object.assign(log, { end: () => undefined }),
    mask: (v) => void masked((s) => events.push(`mask ${s}`), v),
    lockState: (held) => events.push(`lock ${held}`),
    signal: new AbortController().signal,
  }
}

const target = (configFile: string, env: Record<string, string>, over: Partial<Target> = {}): Target => ({
  configFile,
  knownHosts: `[127.0.0.1]:1 ${KEY.public.split(' ').slice(0, 2).join(' ')}`,
  sshPrivateKey: KEY.private,
  env,
  run: { id: 'run-1' },
  ...over,
})

const deployRequest = (over: Partial<DeployRequest>): DeployRequest => ({ appDir: process.cwd(), ref: 'a'.repeat(40), skipBuild: false, performer: 'me', run: 'run-1', ...over })

const failure = async (p: Promise<unknown>): Promise<EngineFailure> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(EngineFailure)
  return e as EngineFailure
}

describe('maskDerived', () => {
  it('masks every loaded secret (line by line), each env-file line and the registry auth forms', () => {
    const { config, secrets } = loadConfigOrThrow({ configFile: app(), cwd: '/', env: SECRETS })
    const masks: string[] = []
    maskDerived((v) => void masked((s) => masks.push(s), v), config, secrets)
    expect(masks).toEqual(
      expect.arrayContaining([
        SECRETS.DATABASE_URL, SECRETS.TLS_KEY, 'tls-line-one-Sentinel-2', 'tls-line-two-Sentinel-3', SECRETS.KAMAL_REGISTRY_PASSWORD,
        `DATABASE_URL=${SECRETS.DATABASE_URL}`, 'TLS_KEY=tls-line-one-Sentinel-2', 'tls-line-two-Sentinel-3',
        b64(`deployer:${SECRETS.KAMAL_REGISTRY_PASSWORD}`), b64(SECRETS.KAMAL_REGISTRY_PASSWORD),
      ]),
    )
  })

  it('masks only what a scope loaded, and never asks for a secret it did not', () => {
    const { config, secrets } = loadConfigOrThrow({ configFile: app(), cwd: '/', env: {}, needs: 'ssh' })
    const masks: string[] = []
    expect(() => maskDerived((v) => masks.push(v), config, secrets)).not.toThrow()
    expect(masks).toEqual([])
  })
})

describe('the real engine adapter', () => {
  it('remove and preview-remove load no production secret (nor the registry password): they get as far as the hosts', async () => {
    const port = createEnginePort({})
    for (const run of [(io: RunIO) => port.remove(target(app(), {}), io), (io: RunIO) => port.previewRemove({ ...target(app(), {}), pr: 3 }, io)]) {
      const e = await failure(run(recordingIO()))
      expect(e.detail.kind).not.toBe('config')
      expect(e.message).toMatch(/127\.0\.0\.1/)
    }
  })

  it('preview-deploy needs the registry password and preview.env, not production\'s env secrets', async () => {
    const env = { KAMAL_REGISTRY_PASSWORD: SECRETS.KAMAL_REGISTRY_PASSWORD, PREVIEW_DB: SECRETS.PREVIEW_DB }
    const request = { ...target(app('', '127.0.0.1:1'), env), request: deployRequest({ version: 'v1', skipBuild: true }), pr: 4 }
    const e = await failure(createEnginePort({}).previewDeploy(request, recordingIO()))
    expect(e.detail.kind).not.toBe('config')
    expect(e.message).toMatch(/127\.0\.0\.1/)
    const missing = await failure(createEnginePort({}).previewDeploy({ ...request, env: {} }, recordingIO()))
    expect(missing.detail.kind === 'config' ? missing.detail.problems.map((p) => p.keyPath) : []).toEqual(['registry/password/0', 'x-cutover/preview/env/secret/0'])
  })

  it('the post step\'s lock release loads no production secret either', async () => {
    const e = await failure(createEnginePort({}).releaseLockIfOwned(target(app(), {}), recordingIO()))
    expect(e.detail.kind).not.toBe('config')
  })

  it('a deploy needs every production secret but not the preview\'s own (issue 14, fix 1), and says how to give one in the Action\'s words', async () => {
    const e = await failure(createEnginePort({}).deploy({ ...target(app(), {}), request: deployRequest({ skipBuild: true }) }, recordingIO()))
    expect(e.detail.kind).toBe('config')
    const problems = e.detail.kind === 'config' ? e.detail.problems : []
    expect(problems.map((p) => p.keyPath).sort()).toEqual(['env/secret/0', 'registry/password/0', 'servers/web/env/secret/0'])
    const rollback = await failure(createEnginePort({}).rollback({ ...target(app(), {}), request: deployRequest({ skipBuild: true, version: 'v1', command: 'rollback' }) }, recordingIO()))
    expect(rollback.detail.kind === 'config' ? rollback.detail.problems.map((p) => p.keyPath).sort() : []).toEqual(['env/secret/0', 'registry/password/0', 'servers/web/env/secret/0'])
    expect(problems.find((p) => p.keyPath === 'env/secret/0')!.expected).toContain('DATABASE_URL in the `secrets` input (a line `DATABASE_URL=${{ secrets.DATABASE_URL }}`)')
    expect(problems.find((p) => p.keyPath === 'registry/password/0')!.expected).toMatch(/^the `registry-password` input, or /)
  })

  it('masks derived values before it prints the config\'s warnings', async () => {
    const io = recordingIO()
    // aliases: a Kamal key cutover warns about (accessories used to be one; they are acted on now).
    await failure(createEnginePort({}).remove(target(app('ssh:\n  key_data: [EXTRA_KEY]\naliases: {}\n'), { EXTRA_KEY: KEY.private }), io))
    const firstWarning = io.events.findIndex((e) => e.startsWith('warn '))
    const keyLine = KEY.private.split('\n')[1]!.trim()
    expect(firstWarning).toBeGreaterThan(0)
    expect(io.events.indexOf(`mask ${keyLine}`)).toBeGreaterThanOrEqual(0)
    expect(io.events.indexOf(`mask ${keyLine}`)).toBeLessThan(firstWarning)
  })

  it('an empty ssh-private-key with no key in the config names the input', async () => {
    const e = await failure(createEnginePort({}).remove(target(app(), {}, { sshPrivateKey: undefined }), recordingIO()))
    expect(e.message).toMatch(/^Input `ssh-private-key` is empty and the config names no SSH key/)
  })
})
