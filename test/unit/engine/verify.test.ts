import { describe, expect, it } from 'vitest'
import { RollbackError } from '../../../src/engine/errors.js'
import { FleetRollback } from '../../../src/engine/fleet-rollback.js'
import { verifySwitch } from '../../../src/engine/verify.js'
import { memoryLogger } from '../../../src/log.js'
import { plan } from '../../../src/plan/plan.js'
import type { Step } from '../../../src/plan/steps.js'
import type { ExecResult, RemoteHost } from '../../../src/remote/host.js'
import { aliasTarget, deployed, desired, desiredV1, host, routeTo } from '../plan/fixtures.js'

const SECRET = 'sup3r-s3cret-value'
const d = desired({ verifyWindowS: 2 })
const v1 = deployed(desiredV1())
const step = plan(d, host({ containers: [v1], routes: [routeTo(d, aliasTarget(desiredV1()))] })).steps.find((s): s is Extract<Step, { kind: 'verify' }> => s.kind === 'verify')!

const sample = (o: object = {}) => ({ code: 0, stderr: '', stdout: `${JSON.stringify({ status: 'running', exit: 0, restarts: 0, started: 't0', health: null, oom: false, ...o })}\n@@probe 200\n` })

/** A host that answers the verify probe from a script and records every other command. */
function scripted(samples: ExecResult[], answers: { switchBack?: ExecResult } = {}) {
  const calls: string[] = []
  const h: RemoteHost = {
    name: 'vm1',
    async exec(argv) {
      if (argv[0] === 'sh' && argv[2]?.includes('State.Status')) return samples.shift() ?? sample()
      calls.push(argv.join(' '))
      if (argv.includes('deploy')) return answers.switchBack ?? { code: 0, stdout: '', stderr: '' }
      if (argv[1] === 'logs') return { code: 0, stdout: `booting with DATABASE_URL=${SECRET}\nready\n`, stderr: 'panic: boom\n' }
      return { code: 0, stdout: '', stderr: '' }
    },
    upload: async () => undefined,
    close: async () => undefined,
  }
  return { h, calls }
}

const options = (fleet?: FleetRollback, host = 'vm1') => ({
  logger: memoryLogger(),
  redact: (t: string) => t.split(SECRET).join('[REDACTED]'),
  sleep: async () => undefined,
  pollIntervalMs: 500,
  ...(fleet ? { fleet: { fleet, host, role: 'web' } } : {}),
})

describe('verifySwitch', () => {
  it('a crash after the switch: switched back to the old container, the new one removed, the error says what was seen (redacted)', async () => {
    const { h, calls } = scripted([sample(), sample({ status: 'exited', exit: 3 })])
    const e = await verifySwitch(h, step, options()).then(() => null, (x: unknown) => x)
    expect(e).toBeInstanceOf(RollbackError)
    const message = (e as Error).message
    expect(message).toMatch(/new container app-web-v2 rolled back: it failed within 2s after the switch: it is exited \(exit code 3\)/)
    expect(message).toMatch(/switched back to app-web-v1 \(v1\): old version serving/)
    expect(message).toContain('panic: boom')
    expect(message).not.toContain(SECRET)
    // Old started (a no-op if running) and switched to before the new one is taken away.
    expect(calls.map((c) => c.split(' ').slice(0, 5).join(' '))).toEqual([
      `docker start ${v1.id}`,
      'docker exec kamal-proxy kamal-proxy deploy',
      'docker logs --tail 50 app-web-v2',
      'docker rm --force app-web-v2',
    ])
    expect(calls[1]).toContain(`--target=${aliasTarget(desiredV1())}`)
  })

  it('a container that stays fine for the whole window: no rollback, one probe per interval', async () => {
    const samples = Array.from({ length: 10 }, () => sample())
    const { h, calls } = scripted(samples)
    await verifySwitch(h, step, options())
    expect(calls).toEqual([])
    expect(samples.length).toBe(10 - 5) // 2 s / 0.5 s = 4 intervals, 5 probes
  })

  it('fleet: passed here, failed on another host → rolls back here too, naming that host', async () => {
    const fleet = new FleetRollback(true)
    fleet.expect('vm1', 'web')
    fleet.expect('vm2', 'web')
    const { h, calls } = scripted([])
    const here = verifySwitch(h, step, options(fleet)).then(() => null, (x: unknown) => x as Error)
    await new Promise((r) => setTimeout(r, 10))
    expect(calls).toEqual([]) // waiting on vm2
    fleet.failed('vm2', 'web', 'app-web-v2 it is exited (exit code 3)')
    const e = await here
    expect(e?.message).toMatch(/the fleet rolls back because vm2 web: app-web-v2 it is exited \(exit code 3\); switched back to app-web-v1/)
    expect(calls.some((c) => c.includes('kamal-proxy deploy app-web'))).toBe(true)
  })

  it('fleet: every host passed → goes on (the old container is stopped afterwards)', async () => {
    const fleet = new FleetRollback(true)
    fleet.expect('vm1', 'web')
    fleet.expect('vm2', 'web')
    const a = scripted([])
    const b = scripted([])
    await Promise.all([verifySwitch(a.h, step, options(fleet, 'vm1')), verifySwitch(b.h, step, options(fleet, 'vm2'))])
    expect([...a.calls, ...b.calls]).toEqual([])
  })

  it('switching back fails: the error says so and how to recover, not "old version serving"', async () => {
    const { h } = scripted([sample({ status: 'exited', exit: 1 })], { switchBack: { code: 1, stdout: '', stderr: 'Error: target failed to become healthy' } })
    const e = (await verifySwitch(h, step, options()).catch((x: unknown) => x)) as Error
    expect(e.message).toMatch(/switching back to app-web-v1 \(v1\) FAILED \(Error: target failed to become healthy\): run `cutover rollback`/)
    expect(e.message).not.toMatch(/old version serving/)
  })
})
