import { describe, expect, it } from 'vitest'
import { plan } from '../../../src/plan/plan.js'
import type { Step } from '../../../src/plan/steps.js'
import { executeSteps } from '../../../src/engine/execute.js'
import { memoryLogger } from '../../../src/log.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import { aliasTarget, deployed, desired, desiredV1, host, routeTo } from './fixtures.js'

const kinds = (steps: Step[]) => steps.map((s) => s.kind)
const LINE = '[2025-01-01T00:00:00Z] [ci] [web] Deployed app version v2 as app-web-v2'

describe('cleanup converges (plan/leftovers.ts)', () => {
  const d = desired()
  const v2 = deployed(d)
  const routed = { routes: [routeTo(d, aliasTarget(d))] }

  it('a switch marks the role before switching and clears the mark last', () => {
    const v1 = deployed(desiredV1())
    const p = plan(d, host({ containers: [v1], routes: [routeTo(d, aliasTarget(desiredV1()))] }))
    const k = kinds(p.steps)
    expect(k.indexOf('markPending')).toBe(k.indexOf('proxyDeploy') - 1)
    expect(k.at(-1)).toBe('clearPending')
    const mark = p.steps[k.indexOf('markPending')] as Extract<Step, { kind: 'markPending' }>
    expect(mark.exec.argv).toContain('.kamal/cutover/pending/app/web')
    expect(mark.exec.argv.some((a) => a.includes('Deployed app version v2 as app-web-v2'))).toBe(true)
  })

  it('unchanged and no mark: nothing to do', () => {
    expect(plan(d, host({ containers: [v2], ...routed })).steps).toEqual([])
  })

  it('unchanged but an earlier run left its tidy-up: finish it, append ITS audit line, clear the mark, and say so', () => {
    const old = deployed(desiredV1(), { state: 'exited' })
    const p = plan({ ...d, retain: 1 }, host({ containers: [v2, old, deployed(desiredV1({ version: 'v0' }), { state: 'exited' })], ...routed, pending: { web: LINE } }))
    expect(p.outcome).toBe('unchanged')
    expect(kinds(p.steps)).toEqual(['remove', 'pruneImages', 'audit', 'clearPending'])
    const auditStep = p.steps.find((s) => s.kind === 'audit') as Extract<Step, { kind: 'audit' }>
    expect(auditStep.exec.argv).toContain(LINE)
    expect(p.finished).toEqual(['remove app-web-v1', 'prune dangling images', 'append to the audit log'])
  })

  it('the old container was never stopped (connection cut after the switch): stopped now, still unchanged', () => {
    const p = plan(d, host({ containers: [v2, deployed(desiredV1())], ...routed, pending: { web: LINE } }))
    expect(p.outcome).toBe('unchanged')
    expect(p.finished?.[0]).toMatch(/^stop app-web-v1/)
  })

  it('another role’s mark is not this role’s', () => {
    expect(plan(d, host({ containers: [v2], ...routed, pending: { worker: LINE } })).steps).toEqual([])
  })
})

describe('executeSteps keeps the mark while a tidy-up step failed', () => {
  const run = async (failing: string | null) => {
    const sent: string[] = []
    const h: RemoteHost = {
      name: 'vm1',
      exec: async (argv) => {
        sent.push(argv.join(' '))
        return { code: failing && argv.join(' ').includes(failing) ? 1 : 0, stdout: '', stderr: 'boom' }
      },
      upload: async () => undefined,
      close: async () => undefined,
    }
    const p = plan(desired(), host({ containers: [deployed(desired()), deployed(desiredV1())], routes: [routeTo(desired(), aliasTarget(desired()))], pending: { web: LINE } }))
    await executeSteps(h, p.steps, { logger: memoryLogger(), redact: (t) => t })
    return sent
  }
  it('all tidy-up steps succeeded: the mark is removed', async () => {
    expect((await run(null)).at(-1)).toBe('rm -f -- .kamal/cutover/pending/app/web')
  })
  it('docker stop failed: the mark stays for the next run', async () => {
    const sent = await run('docker stop')
    expect(sent.some((c) => c.startsWith('rm -f -- .kamal/cutover/pending'))).toBe(false)
  })
})
