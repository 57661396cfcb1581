import { describe, expect, it } from 'vitest'
import { maxConnectionsFlag } from '../../../src/cli/context.js'
import { UsageError } from '../../../src/cli/command.js'
import { Session } from '../../../src/engine/session.js'
import { memoryLogger } from '../../../src/log.js'
import { DEFAULT_MAX_CONNECTIONS } from '../../../src/remote/bound.js'
import { cfg, loadFrom, okOf } from './helpers.js'

const D = 'config/deploy.yml'
const load = (extra: string) => okOf(loadFrom({ [D]: cfg(extra) }))
const session = (extra: string, maxConnections?: number) => {
  const { config, secrets } = load(extra)
  return new Session({ config, secrets, logger: memoryLogger(), knownHosts: { entries: [] } as never, ...(maxConnections !== undefined ? { maxConnections } : {}) })
}

describe('x-cutover.fanout.max_connections: the SSH connection bound', () => {
  it.each([
    ['no x-cutover: the default', '', undefined, DEFAULT_MAX_CONNECTIONS],
    ['the config', 'x-cutover:\n  fanout:\n    max_connections: 4', undefined, 4],
    ['the flag (or Action input) wins over the config', 'x-cutover:\n  fanout:\n    max_connections: 4', 2, 2],
    ['the flag alone', '', 1, 1],
  ])('%s', (_, extra, flag, want) => {
    const s = session(extra, flag)
    expect(s.maxConnections).toBe(want)
    expect(s.pool.bound.max).toBe(want)
  })

  it('the default covers a fleet Kamal deploys in one wave (30 hosts)', () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(30)
  })

  it.each([['0'], ['-1'], ['two'], ['2.5'], ['']])('--max-connections %j is a usage error naming the flag and the fix', (raw) => {
    expect(() => maxConnectionsFlag({ 'max-connections': raw })).toThrow(UsageError)
    expect(() => maxConnectionsFlag({ 'max-connections': raw })).toThrow(/^--max-connections ".*": expected a whole number of SSH connections, at least 1 \(e\.g\. --max-connections 8\)$/)
  })

  it('--max-connections 8 reads as 8; absent as the config', () => {
    expect(maxConnectionsFlag({ 'max-connections': '8' })).toBe(8)
    expect(maxConnectionsFlag({})).toBeUndefined()
  })
})
