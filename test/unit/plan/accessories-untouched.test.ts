import { describe, expect, it } from 'vitest'
import type { ObservedContainer } from '../../../src/argv/observation.js'
import { plan } from '../../../src/plan/plan.js'
import { aliasTarget, deployed, desired, desiredV1, host, routeTo } from './fixtures.js'

/**
 * `deploy` never touches accessories. Kamal's accessory containers carry `service=<service>-<name>`
 * and no role label; one named `app-web-cache` even starts like the web role's containers
 * (`app-web-…`). Whatever the plan does for the app, no step may name them.
 */
const accessoryContainer = (id: string, name: string, state = 'running'): ObservedContainer => ({
  id: id.repeat(64), name, state, created: '2024-01-01T00:00:00Z', imageId: `sha256:${'e'.repeat(64)}`, health: null,
  service: name, role: '', destination: '', version: null, digest: null,
})
const accessories = [accessoryContainer('d', 'app-db'), accessoryContainer('f', 'app-web-cache'), accessoryContainer('9', 'app-web-old', 'exited')]

describe('plan: accessories are not the app’s', () => {
  const d = desired()
  const v1 = desiredV1()
  it.each([
    ['a replacement (v1 → v2)', host({ containers: [deployed(v1), ...accessories], routes: [routeTo(v1, aliasTarget(v1))] })],
    ['a first boot', host({ containers: accessories })],
    ['an unchanged deploy', host({ containers: [deployed(d), ...accessories], routes: [routeTo(d, aliasTarget(d))] })],
  ])('%s: no step names an accessory container', (_what, seen) => {
    const steps = JSON.stringify(plan(d, seen).steps)
    for (const a of accessories) {
      expect(steps).not.toContain(a.id)
      expect(steps).not.toContain(a.name)
    }
  })
})
