import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfigOrThrow } from '../../../src/config/index.js'
import { removeService } from '../../../src/engine/remove.js'
import type { Session } from '../../../src/engine/session.js'
import { memoryLogger } from '../../../src/log.js'
import { RemoteError } from '../../../src/remote/errors.js'
import type { RemoteHost } from '../../../src/remote/host.js'

describe('removeService', () => {
  it('a host it cannot reach fails with the connection error as is: the host named once, secrets redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-remove-'))
    mkdirSync(join(dir, 'config'))
    writeFileSync(join(dir, 'config', 'deploy.yml'), 'service: shop\nimage: acme/shop\nservers: [vm1, vm2]\nregistry: { server: localhost:5555 }\n')
    const { config } = loadConfigOrThrow({ cwd: dir, env: {} })
    // vm1 holds the lock and has nothing of the app's (an empty observation); vm2 cannot be reached.
    const vm1: RemoteHost = { name: 'vm1', exec: async () => ({ code: 0, stdout: '', stderr: '' }), upload: async () => undefined, close: async () => undefined }
    const session = {
      options: { config },
      host: async (name: string) => {
        if (name === 'vm1') return vm1
        throw new RemoteError('vm2 (root@vm2): cannot connect: no SSH handshake within 30s, key sentinel-5a5a')
      },
      redact: (text: string) => text.replaceAll('sentinel-5a5a', '[redacted]'),
    } as unknown as Session
    const result = await removeService(session, { performer: 'me' }, memoryLogger())
    const vm2 = result.hosts.find((h) => h.host === 'vm2')
    expect(vm2).toMatchObject({ host: 'vm2', role: 'web', action: 'failed', error: 'vm2 (root@vm2): cannot connect: no SSH handshake within 30s, key [redacted]' })
  })
})
