import { describe, expect, it } from 'vitest'
import { executeSteps } from '../../../src/engine/execute.js'
import { memoryLogger } from '../../../src/log.js'
import { plan } from '../../../src/plan/plan.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { aliasTarget, deployed, desired, desiredV1, host, IMAGE_V1, routeTo, tag } from '../plan/fixtures.js'

// The executor running a planned recreate against a scripted host: what it sends, the downtime
// it measures (a fake clock that ticks 1000 ms per command), and the restart of the old
// container when the new one never takes over.
const web = desired({ strategy: 'recreate' })
const old = deployed(desiredV1())
const seen = host({ containers: [old], routes: [routeTo(web, aliasTarget(desiredV1()))], images: [tag('v1', IMAGE_V1)] })

function scripted(fail: (argv: readonly string[]) => boolean) {
  const sent: string[] = []
  let clock = 0
  const h: RemoteHost = {
    name: 'vm1',
    exec: async (argv) => {
      clock += 1000
      sent.push(argv.slice(0, 4).join(' '))
      return fail(argv) ? { code: 1, stdout: '', stderr: 'target failed to become healthy' } : { code: 0, stdout: '', stderr: '' }
    },
    upload: async () => undefined,
    close: async () => undefined,
  }
  return { h, sent, now: () => clock }
}

describe('executing recreate', () => {
  it('measures the downtime from the stop to the switch', async () => {
    const s = scripted(() => false)
    const report = await executeSteps(s.h, plan(web, seen).steps, { logger: memoryLogger(), redact: (t) => t, now: s.now })
    // stop, run, proxy deploy: three commands of 1000 ms each between the marks.
    expect(report).toEqual({ downtimeMs: 3000 })
    const at = (prefix: string) => s.sent.findIndex((c) => c.startsWith(prefix))
    expect(at('docker stop')).toBeLessThan(at('docker run'))
    expect(s.sent.some((c) => c.startsWith('docker start'))).toBe(false)
  })

  it('blue-green reports no downtime', async () => {
    const s = scripted(() => false)
    const report = await executeSteps(s.h, plan({ ...web, strategy: 'blue-green' }, seen).steps, { logger: memoryLogger(), redact: (t) => t, now: s.now })
    expect(report).toEqual({})
  })

  it('a new container that never gets healthy: removed, and the stopped old one started again', async () => {
    const s = scripted((argv) => argv.includes('deploy') && argv.includes('kamal-proxy'))
    const run = executeSteps(s.h, plan(web, seen).steps, { logger: memoryLogger(), redact: (t) => t, now: s.now })
    await expect(run).rejects.toThrow(/never became healthy.*; restarted the previous container \(recreate had stopped it\)/s)
    const tail = s.sent.slice(-3)
    expect(tail[0]).toMatch(/^docker logs/)
    expect(tail[1]).toMatch(/^docker rm --force/)
    expect(tail[2]).toBe(`docker start ${old.id}`)
  })

  it('a stop that fails restarts what it may have stopped, and runs nothing new', async () => {
    const s = scripted((argv) => argv[1] === 'stop')
    await expect(executeSteps(s.h, plan(web, seen).steps, { logger: memoryLogger(), redact: (t) => t, now: s.now })).rejects.toThrow(/restarted the previous container/)
    expect(s.sent.some((c) => c.startsWith('docker run'))).toBe(false)
    expect(s.sent.at(-1)).toBe(`docker start ${old.id}`)
  })

  it('a failure after the switch (best-effort tidying) restarts nothing', async () => {
    const s = scripted((argv) => argv[1] === 'image')
    const report = await executeSteps(s.h, plan(web, seen).steps, { logger: memoryLogger(), redact: (t) => t, now: s.now })
    expect(report.downtimeMs).toBe(3000)
    expect(s.sent.some((c) => c.startsWith('docker start'))).toBe(false)
  })
})
