import { describe, expect, it } from 'vitest'
import type { RemoteHost } from '../../../src/remote/host.js'
import { dialEarly } from '../../../src/engine/service.js'
import type { Session } from '../../../src/engine/session.js'

/** A session that records which hosts were dialed; `bad` hosts fail to connect. */
function fakeSession(roles: string[][], bad: string[] = [], maxConnections?: number) {
  const dials: string[] = []
  const session = {
    ...(maxConnections !== undefined ? { maxConnections } : {}),
    options: { config: { roles: roles.map((hosts) => ({ hosts: hosts.map((host) => ({ host })) })) } },
    host(target: string): Promise<RemoteHost> {
      dials.push(target)
      return bad.includes(target) ? Promise.reject(new Error(`${target}: connection refused`)) : Promise.resolve({ name: target } as RemoteHost)
    },
  }
  return { dials, req: (onlyHosts?: string[]) => [session as unknown as Session, onlyHosts] as const }
}

describe('dialEarly: hosts are dialed while the registry is asked', () => {
  it.each([
    { name: 'every host once, across roles, in config order', roles: [['a', 'b'], ['b', 'c']], only: undefined, want: ['a', 'b', 'c'] },
    { name: 'only the --hosts given', roles: [['a', 'b', 'c']], only: ['c', 'a'], want: ['a', 'c'] },
    { name: 'every host when --hosts is empty', roles: [['a', 'b']], only: [], want: ['a', 'b'] },
  ])('$name', ({ roles, only, want }) => {
    const { dials, req } = fakeSession(roles)
    dialEarly(...req(only))
    expect(dials).toEqual(want)
  })

  it('no more early dials than the connection bound (x-cutover.fanout.max_connections): the rest dial when first used', async () => {
    const { dials, req } = fakeSession([['a', 'b', 'c', 'd']], [], 2)
    const pool = dialEarly(...req())
    expect(dials).toEqual(['a', 'b'])
    await pool.host('c')
    expect(dials).toEqual(['a', 'b', 'c'])
  })

  it('hands the early dial to the first ask and the session to later ones', async () => {
    const { dials, req } = fakeSession([['a']])
    const pool = dialEarly(...req())
    expect((await pool.host('a')).name).toBe('a')
    expect(dials).toEqual(['a'])
    await pool.host('a')
    expect(dials).toEqual(['a', 'a'])
  })

  it('reports a failed early dial at the first ask, without dialing again', async () => {
    const { dials, req } = fakeSession([['a', 'down']], ['down'])
    const pool = dialEarly(...req())
    await expect(pool.host('down')).rejects.toThrow('down: connection refused')
    expect(dials).toEqual(['a', 'down'])
  })
})
