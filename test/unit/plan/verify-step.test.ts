import { describe, expect, it } from 'vitest'
import { plan } from '../../../src/plan/plan.js'
import type { Step } from '../../../src/plan/steps.js'
import { aliasTarget, deployed, desired, desiredV1, host, kamalContainer, routeTo } from './fixtures.js'

const kinds = (steps: Step[]) => steps.map((s) => s.kind)
const verifyOf = (steps: Step[]) => steps.find((s): s is Extract<Step, { kind: 'verify' }> => s.kind === 'verify')

describe('plan: the verify step after a switch (x-cutover/verify/window)', () => {
  const v1 = deployed(desiredV1())
  const routedV1 = host({ containers: [v1], routes: [routeTo(desired(), aliasTarget(desiredV1()))] })

  it('window 0 (or unset): no verify step, the plan is as before', () => {
    expect(verifyOf(plan(desired({ verifyWindowS: 0 }), routedV1).steps)).toBeUndefined()
    expect(verifyOf(plan(desired(), routedV1).steps)).toBeUndefined()
  })

  it('right after the switch and before the old container is stopped; rolls back to the routed one by its route target', () => {
    const p = plan(desired({ verifyWindowS: 5 }), routedV1)
    const k = kinds(p.steps)
    expect(k.indexOf('verify')).toBe(k.indexOf('proxyDeploy') + 1)
    expect(k.indexOf('verify')).toBeLessThan(k.indexOf('stop'))
    const v = verifyOf(p.steps)!
    expect(v).toMatchObject({ container: 'app-web-v2', windowS: 5, fresh: true })
    expect(v.rollback.previous).toMatchObject({ name: 'app-web-v1', version: 'v1', start: { argv: ['docker', 'start', v1.id] } })
    expect(v.rollback.switchBack?.argv).toContain(`--target=${aliasTarget(desiredV1())}`)
    expect(v.rollback.switchBack?.argv.slice(0, 6)).toEqual(['docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'deploy', 'app-web'])
    expect(v.rollback.removeNew.argv).toEqual(['docker', 'rm', '--force', 'app-web-v2'])
    expect(v.exec.argv[2]).toContain("'Host: app.test' http://127.0.0.1:80/up")
  })

  it('a Kamal-deployed old container routed by name: switched back to that same target', () => {
    const k = kamalContainer('abc')
    const p = plan(desired({ verifyWindowS: 3 }), host({ containers: [k], routes: [routeTo(desired(), 'app-web-abc:80')] }))
    expect(verifyOf(p.steps)?.rollback.switchBack?.argv).toContain('--target=app-web-abc:80')
  })

  it('a first boot: nothing to go back to', () => {
    const v = verifyOf(plan(desired({ verifyWindowS: 5 }), host()).steps)!
    expect(v.rollback.previous).toBeNull()
    expect(v.rollback.switchBack).toBeNull()
  })

  it('a role without the proxy: watched after it runs, no proxy request, the old one kept running', () => {
    const worker = (over = {}) => desired({ role: 'workers', proxy: null, ...over })
    const old = deployed(desiredV1({ role: 'workers', proxy: null }))
    const p = plan(worker({ verifyWindowS: 5 }), host({ containers: [old] }))
    const v = verifyOf(p.steps)!
    expect(kinds(p.steps).indexOf('verify')).toBe(kinds(p.steps).indexOf('awaitHealthy') + 1)
    expect(v.rollback).toMatchObject({ previous: { name: old.name }, switchBack: null })
    expect(v.exec.argv[2]).toContain("echo '@@probe none'")
  })

  it('a reused container (rollback to a retained version) is stopped, not removed, on failure', () => {
    const d = desired({ verifyWindowS: 5 })
    const retained = deployed(d, { state: 'exited' })
    const p = plan(d, host({ containers: [v1, retained], routes: [routeTo(d, aliasTarget(desiredV1()))] }))
    const v = verifyOf(p.steps)!
    expect(v.fresh).toBe(false)
    expect(v.rollback.removeNew.argv).toEqual(['docker', 'stop', retained.id])
  })

  it('already switched, only old containers left to stop: nothing to verify', () => {
    const d = desired({ verifyWindowS: 5 })
    const p = plan(d, host({ containers: [v1, deployed(d)], routes: [routeTo(d, aliasTarget(d))] }))
    expect(kinds(p.steps)).toContain('stop')
    expect(verifyOf(p.steps)).toBeUndefined()
  })
})
