import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LOCK_HELD_EXIT, renderLockDetails } from '../../../src/argv/lock.js'
import { loadConfigOrThrow } from '../../../src/config/index.js'
import type { Hosts } from '../../../src/engine/hosts.js'
import { lockStatus, releaseLock, withLock } from '../../../src/engine/lock.js'
import { retainedVersions, versionNames, type RetainedOnHost } from '../../../src/engine/versions.js'
import { memoryLogger } from '../../../src/log.js'
import type { ExecResult, RemoteHost } from '../../../src/remote/host.js'

const SECRET = 'sentinel-9e1d'
const redact = (text: string): string => text.replaceAll(SECRET, '[redacted]')

/** A host that answers every command with `answer`. */
const answering = (answer: ExecResult): RemoteHost => ({ name: 'vm1', exec: async () => answer, upload: async () => undefined, close: async () => undefined })
const pool = (host: RemoteHost): Hosts => ({ host: async () => host, redact })

describe('versionNames', () => {
  const c = (version: string | null, created: string) => ({ name: `app-web-${version}`, version, state: 'exited', created, digest: null, current: false })
  it('lists distinct versions newest first across every host and role', () => {
    const hosts: RetainedOnHost[] = [
      { host: 'vm1', role: 'web', containers: [c('v2', '2025-01-02T00:00:00.5Z'), c('v1', '2025-01-01T00:00:00Z')] },
      { host: 'vm2', role: 'web', containers: [c('v3', '2025-01-03T00:00:00.25Z'), c(null, '2025-01-04T00:00:00Z'), c('v1', '2025-01-01T00:00:01Z')] },
      { host: 'vm2', role: 'jobs', containers: [c('v2.1', '2025-01-02T00:00:00.75Z')] },
    ]
    expect(versionNames(hosts)).toEqual(['v3', 'v2.1', 'v2', 'v1'])
  })
})

describe('retainedVersions', () => {
  it('reports a host it cannot read with secrets redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-versions-'))
    mkdirSync(join(dir, 'config'))
    writeFileSync(join(dir, 'config', 'deploy.yml'), 'service: shop\nimage: acme/shop\nservers: [10.0.0.1]\nregistry: { server: localhost:5555 }\n')
    const { config } = loadConfigOrThrow({ cwd: dir, env: {} })
    const hosts: Hosts = { host: async () => Promise.reject(new Error(`10.0.0.1: docker said ${SECRET}`)), redact }
    expect(await retainedVersions(config, hosts)).toEqual([{ host: '10.0.0.1', role: 'web', containers: [], error: '10.0.0.1: docker said [redacted]' }])
  })
})

describe('the deploy lock: what the host says is redacted in messages', () => {
  const app = { service: 'app', destination: null }
  const details = { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' }

  it('a lock that cannot be taken', async () => {
    const host = answering({ code: 1, stdout: '', stderr: `mkdir: ${SECRET}` })
    await expect(withLock({ host: 'vm1', app, details }, { pool: pool(host), logger: memoryLogger() }, async () => 'ran')).rejects.toThrow(
      'vm1: could not take the deploy lock .kamal/lock-app: mkdir: [redacted]',
    )
  })

  it('a lock held with a secret in its message', async () => {
    const held = Buffer.from(renderLockDetails({ ...details, message: `deploying with ${SECRET}` })).toString('base64')
    const host = answering({ code: LOCK_HELD_EXIT, stdout: held, stderr: '' })
    const error = await withLock({ host: 'vm1', app, details }, { pool: pool(host), logger: memoryLogger() }, async () => 'ran').then(() => undefined, (e: Error) => e)
    expect(error?.message).toContain('deploying with [redacted]')
    expect(error?.message).not.toContain(SECRET)
  })

  it('a lock that cannot be read', async () => {
    const host = answering({ code: 2, stdout: '', stderr: `denied ${SECRET}` })
    await expect(lockStatus(pool(host), 'vm1', app)).rejects.toThrow('vm1: could not read the deploy lock .kamal/lock-app: denied [redacted]')
  })

  it('a lock that cannot be removed', async () => {
    const host: RemoteHost = {
      ...answering({ code: 0, stdout: '', stderr: '' }),
      exec: async (argv) => (argv[0] === 'rm' ? { code: 1, stdout: '', stderr: `rm: ${SECRET}` } : { code: 0, stdout: 'held\n', stderr: '' }),
    }
    await expect(releaseLock(pool(host), 'vm1', app)).rejects.toThrow('vm1: could not remove the deploy lock .kamal/lock-app: rm: [redacted]')
  })
})
