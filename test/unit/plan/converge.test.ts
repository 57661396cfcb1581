import { describe, expect, it } from 'vitest'
import type { HostState } from '../../../src/argv/observation.js'
import { plan } from '../../../src/plan/plan.js'
import type { DesiredRole } from '../../../src/plan/desired.js'
import { inScope, isActive } from '../../../src/plan/scope.js'
import { bareHost, deployed, desired, desiredV1, host, aliasTarget, routeTo, kamalContainer } from './fixtures.js'
import { SimHost } from './simulate.js'

const nonce = (i: number): string => i.toString(16).padStart(16, '0')
const runOnce = (sim: SimHost, d: DesiredRole, stopAfter = Infinity) => {
  const p = plan(d, sim.state)
  p.steps.slice(0, stopAfter).forEach((s) => sim.apply(s))
  return p
}

/** After a full run: one running container of the role, with the desired digest, routed, nothing else running. */
function expectConverged(state: HostState, d: DesiredRole): void {
  const scope = state.containers.filter(inScope(d))
  const active = scope.filter(isActive)
  expect(active).toHaveLength(1)
  const want = plan(d, state)
  expect(want.outcome).toBe('unchanged')
  expect(active[0]?.digest).toBe(want.digest)
  expect(scope.filter((c) => c.digest === want.digest)).toHaveLength(1)
}

const situations: [string, HostState, DesiredRole][] = [
  ['fresh host', bareHost(), desired()],
  ['v1 → v2', host({ containers: [deployed(desiredV1())], routes: [routeTo(desired(), aliasTarget(desiredV1()))] }), desired()],
  ['same version, changed env (name collision)', (() => {
    const before = desired({ env: { clear: { MODE: 'before' }, secret: {} } })
    return host({ containers: [deployed(before)], routes: [routeTo(before, aliasTarget(before))] })
  })(), desired()],
  ['rollback to a retained container', host({
    containers: [deployed(desiredV1(), { state: 'exited' }), deployed(desired())],
    routes: [routeTo(desired(), aliasTarget(desired()))],
  }), desiredV1()],
  ['Kamal-deployed host', (() => {
    const k = kamalContainer('abc')
    return host({ containers: [k], routes: [routeTo(desired(), `${k.id.slice(0, 12)}:80`)] })
  })(), desired()],
  ['proxy stopped, stale extras', host({
    proxy: { state: 'exited', image: 'basecamp/kamal-proxy:v0.9.2' }, routes: null,
    containers: [deployed(desiredV1()), deployed(desired({ version: 'v0' }))],
  }), desired()],
]

describe('convergence: a run killed after any step is finished by the next run', () => {
  it.each(situations)('%s', (_, start, d) => {
    const full = plan(d, start)
    expect(full.steps.length).toBeGreaterThan(0)
    for (let k = 0; k <= full.steps.length; k++) {
      const sim = new SimHost(start)
      runOnce(sim, { ...d, run: { ...d.run, nonce: nonce(1) } }, k) // killed after k steps
      const second = runOnce(sim, { ...d, run: { ...d.run, nonce: nonce(2) } })
      expectConverged(sim.state, d)
      // The rerun never redoes finished work: never more steps than a fresh plan.
      expect(second.steps.length).toBeLessThanOrEqual(full.steps.length)
      // And a third run does nothing.
      expect(runOnce(sim, { ...d, run: { ...d.run, nonce: nonce(3) } }).steps).toEqual([])
    }
  })

  it('killed twice in a row still converges, without a duplicate container', () => {
    const d = desired()
    const start = host({ containers: [deployed(desiredV1())], routes: [routeTo(d, aliasTarget(desiredV1()))] })
    const sim = new SimHost(start)
    const runIdx = plan(d, start).steps.findIndex((s) => s.kind === 'run')
    runOnce(sim, { ...d, run: { ...d.run, nonce: nonce(1) } }, runIdx + 1) // killed right after run
    runOnce(sim, { ...d, run: { ...d.run, nonce: nonce(2) } }, 1) // and again after one step
    runOnce(sim, { ...d, run: { ...d.run, nonce: nonce(3) } })
    expectConverged(sim.state, d)
    expect(sim.state.containers.filter(inScope(d))).toHaveLength(2)
  })
})
