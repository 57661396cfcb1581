import { describe, expect, it } from 'vitest'
import { ConnectionBound } from '../../../src/remote/bound.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { RemoteError } from '../../../src/remote/errors.js'

const tick = (ms = 1): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Fake connections: each dial opens one (counted), close() ends it. Commands take `commandMs`.
 * `open` is what a host would count as sshd sessions; `peak` the most at once.
 */
function fakeNetwork(options: { commandMs?: number; refuse?: string[] } = {}) {
  const net = { open: 0, peak: 0, dials: new Map<string, number>(), ran: [] as string[], drop: new Map<string, () => void>() }
  const dial = async (target: string, gone: () => void): Promise<RemoteHost> => {
    await tick()
    net.dials.set(target, (net.dials.get(target) ?? 0) + 1)
    if (options.refuse?.includes(target)) throw new RemoteError(`${target}: cannot connect: connection refused`)
    net.open++
    net.peak = Math.max(net.peak, net.open)
    let closed = false
    const end = () => {
      if (!closed) (closed = true), net.open--
    }
    net.drop.set(target, () => (end(), gone()))
    return {
      name: target,
      exec: async (argv) => {
        if (closed) throw new RemoteError(`${target}: cannot run \`${argv[0]}\`: the SSH connection is closed`)
        await tick(options.commandMs ?? 2)
        net.ran.push(`${target} ${argv.join(' ')}`)
        return { code: 0, stdout: `${target}\n`, stderr: '' }
      },
      upload: async () => undefined,
      close: async () => {
        await tick()
        end()
      },
    }
  }
  return { net, dial }
}

const hosts = (n: number): string[] => Array.from({ length: n }, (_, i) => `vm${i + 1}`)

/** Every host runs `steps` commands one after the other, as a host's plan does. */
async function runFleet(bound: ConnectionBound, names: string[], steps: number, between = 0): Promise<string[][]> {
  return Promise.all(
    names.map(async (name) => {
      const host = await bound.host(name)
      const out: string[] = []
      for (let i = 0; i < steps; i++) {
        out.push((await host.exec(['step', String(i)])).stdout.trim())
        if (between) await tick(between)
      }
      return out
    }),
  )
}

describe('ConnectionBound: at most max connections open at once', () => {
  it.each([
    [1, 6],
    [2, 6],
    [3, 10],
  ])('bound %i over %i hosts: never more open, every host finishes every step', async (max, n) => {
    const { net, dial } = fakeNetwork()
    const bound = new ConnectionBound(dial, max, { graceMs: 5 })
    const results = await runFleet(bound, hosts(n), 4, 10)
    expect(results).toEqual(hosts(n).map((h) => [h, h, h, h]))
    expect(net.ran).toHaveLength(n * 4)
    expect(net.peak).toBeLessThanOrEqual(max)
    expect(bound.peak).toBeLessThanOrEqual(max)
    // Smaller than the fleet, the bound is reached: the hosts did share the slots.
    expect(net.peak).toBe(max)
    await bound.closeAll()
    expect(net.open).toBe(0)
  })

  it('as large as the fleet: one connection per host for the whole run, kept between commands', async () => {
    const { net, dial } = fakeNetwork()
    const bound = new ConnectionBound(dial, 6, { graceMs: 0 })
    await runFleet(bound, hosts(6), 3, 20)
    expect([...net.dials.values()]).toEqual([1, 1, 1, 1, 1, 1])
    expect(net.open).toBe(6)
    await bound.closeAll()
    expect(net.open).toBe(0)
  })

  it("a host's commands back to back keep its connection; an idle one gives its slot to a waiter", async () => {
    const { net, dial } = fakeNetwork()
    const bound = new ConnectionBound(dial, 1, { graceMs: 50 })
    // vm1 runs 5 commands back to back, vm2 waits for the slot meanwhile: vm1 is dialled once.
    await runFleet(bound, ['vm1', 'vm2'], 5)
    expect(net.dials.get('vm1')).toBe(1)
    expect(net.ran.slice(0, 5).every((l) => l.startsWith('vm1 '))).toBe(true)
    expect(net.peak).toBe(1)
  })

  it('a host that cannot be reached holds no slot: its connect error reaches it, the others run', async () => {
    const { net, dial } = fakeNetwork({ refuse: ['vm2'] })
    const bound = new ConnectionBound(dial, 1, { graceMs: 1 })
    const outcomes = await Promise.allSettled(hosts(3).map(async (h) => (await (await bound.host(h)).exec(['docker', 'ps'])).stdout.trim()))
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(['vm1', 'vm2: cannot connect: connection refused', 'vm3'])
    expect(net.peak).toBe(1)
  })

  it('a connection the host drops frees its slot; a held handle gets the closed error, a new ask dials again', async () => {
    const { net, dial } = fakeNetwork()
    const bound = new ConnectionBound(dial, 1, { graceMs: 1 })
    const vm1 = await bound.host('vm1')
    net.drop.get('vm1')!()
    expect(bound.inUse).toBe(0)
    await expect(vm1.exec(['docker', 'ps'])).rejects.toThrow('vm1: cannot run `docker`: the SSH connection is closed')
    // The slot went back: vm2 gets it without waiting for vm1.
    expect((await (await bound.host('vm2')).exec(['true'])).stdout).toBe('vm2\n')
    expect((await (await bound.host('vm1')).exec(['true'])).stdout).toBe('vm1\n')
    expect(net.dials.get('vm1')).toBe(2)
  })

  it('refuses a bound below 1', () => {
    expect(() => new ConnectionBound(async () => ({}) as RemoteHost, 0)).toThrow('max_connections must be a whole number of at least 1, not 0')
  })
})

describe("ConnectionBound: handles behave as an unbounded pool's hosts", () => {
  it('gives one handle per host (callers compare and share it), and a new one after close', async () => {
    const { dial } = fakeNetwork()
    const bound = new ConnectionBound(dial, 2)
    const [a, b] = await Promise.all([bound.host('vm1'), bound.host('vm1')])
    expect(a).toBe(b)
    await a.close()
    const c = await bound.host('vm1')
    expect(c).not.toBe(a)
    expect((await c.exec(['true'])).stdout).toBe('vm1\n')
  })

  it('a handle its caller closed fails its commands as a closed connection would, and never dials again', async () => {
    const { net, dial } = fakeNetwork()
    const bound = new ConnectionBound(dial, 2)
    const h = await bound.host('vm1')
    await h.close()
    await expect(h.exec(['hostname'])).rejects.toThrow(/^vm1: cannot run `hostname`: the SSH connection is closed$/)
    expect(net.dials.get('vm1')).toBe(1)
  })

  it('passes a stream (logs --follow, exec -i) through, holding a slot while it runs', async () => {
    let inUseDuring = -1
    const bound: ConnectionBound = new ConnectionBound(async () => ({
      name: 'vm1',
      exec: async () => ({ code: 0, stdout: '', stderr: '' }),
      upload: async () => undefined,
      close: async () => undefined,
      stream: async (_argv, o) => {
        inUseDuring = bound.inUse
        o.onStdout(Buffer.from('line\n'))
        return 7
      },
    }), 1)
    const h = await bound.host('vm1')
    const out: string[] = []
    expect(await h.stream!(['docker', 'logs', '-f'], { onStdout: (b) => out.push(b.toString()), onStderr: () => undefined })).toBe(7)
    expect(out).toEqual(['line\n'])
    expect(inUseDuring).toBe(1)
  })
})
