import { describe, expect, it } from 'vitest'
import { plan } from '../../../src/plan/plan.js'
import { prunePlan } from '../../../src/plan/prune.js'
import { desiredContainer } from '../../../src/plan/container.js'
import { routedTo } from '../../../src/plan/scope.js'
import type { Step } from '../../../src/plan/steps.js'
import { aliasTarget, deployed, desired, desiredV1, host, IMAGE_V1, IMAGE_V2, routeTo, tag } from './fixtures.js'

const kinds = (steps: Step[]): string[] => steps.map((s) => s.kind)

describe('app boot: a reboot of the serving version', () => {
  const d = desired()
  const serving = deployed(d)
  const seen = host({ containers: [serving], routes: [routeTo(d, aliasTarget(d))], images: [tag('v2', IMAGE_V2)] })

  it('without reboot the same state is unchanged; with it, the serving container steps aside, a new one runs and the proxy switches to it', () => {
    expect(plan(d, seen).outcome).toBe('unchanged')
    const p = plan({ ...d, reboot: true }, seen)
    expect(p.outcome).toBe('replaced')
    const k = kinds(p.steps)
    expect(k.indexOf('rename')).toBeLessThan(k.indexOf('run'))
    expect(k.indexOf('run')).toBeLessThan(k.indexOf('proxyDeploy'))
    expect(k.indexOf('proxyDeploy')).toBeLessThan(k.indexOf('stop'))
    const rename = p.steps.find((s) => s.kind === 'rename') as Extract<Step, { kind: 'rename' }>
    expect(rename.to).toMatch(/^app-web-v2_replaced_[0-9a-f]{16}$/)
    expect(p.steps.find((s) => s.kind === 'stop')).toMatchObject({ containers: [serving.name] })
    expect(p.steps.some((s) => s.kind === 'pull')).toBe(false)
  })

  it("the new container answers to its own alias (the old one keeps the digest's): the proxy has something to switch to, and the digest is the same", () => {
    const want = desiredContainer({ ...d, reboot: true })
    expect(want.digest).toBe(desiredContainer(d).digest)
    expect(want.alias).not.toBe(desiredContainer(d).alias)
    const p = plan({ ...d, reboot: true }, seen)
    const deployStep = p.steps.find((s) => s.kind === 'proxyDeploy')!
    expect(deployStep.exec.argv).toContain(`--target=${want.alias}:80`)
    const run = p.steps.find((s) => s.kind === 'run')!
    expect(run.exec.argv).toEqual(expect.arrayContaining(['--network-alias', want.alias]))
    expect(run.exec.argv).not.toContain(desiredContainer(d).alias)
  })

  it("a later deploy of the same settings sees the rebooted container as serving (its alias names the digest): unchanged", () => {
    const rebooted = deployed(d)
    const after = host({ containers: [{ ...serving, state: 'exited' }, rebooted], routes: [routeTo(d, `${desiredContainer({ ...d, reboot: true }).alias}:80`)], images: [tag('v2', IMAGE_V2)] })
    expect(routedTo(after, d, rebooted, 80)).toBe(true)
    expect(plan(d, after).outcome).toBe('unchanged')
  })
})

describe('prune: the tidy-up a deploy ends with', () => {
  const app = { service: 'app', destination: null }
  it('keeps the running and the newest `retain` stopped containers, removes older ones and the images only they used', () => {
    const v1 = desiredV1()
    const running = deployed(desired())
    const old = [1, 2, 3].map((i) => deployed(v1, { state: 'exited', name: `app-web-v1-${i}` }))
    const seen = host({ containers: [...old, running], images: [tag('v1', IMAGE_V1), tag('v2', IMAGE_V2), tag('latest', IMAGE_V2)] })
    const steps = prunePlan(seen, app, ['web'], 1)
    expect(steps.map((s) => s.argv[1])).toEqual(['rm', 'image'])
    expect(steps[0]!.argv).toEqual(['docker', 'rm', old[1]!.id, old[0]!.id])
    // v1 is still used by the stopped container kept for rollback: no image to remove but the dangling prune.
    expect(steps[1]!.argv).toEqual(['docker', 'image', 'prune', '--force', '--filter', 'label=service=app'])
  })

  it('an image no container uses any more is removed; latest never is', () => {
    const running = deployed(desired())
    const seen = host({ containers: [running], images: [tag('v1', IMAGE_V1), tag('v2', IMAGE_V2), tag('latest', IMAGE_V1)] })
    const steps = prunePlan(seen, app, ['web'], 5)
    expect(steps[0]!.argv).toEqual(['docker', 'image', 'rm', 'registry.test:5000/app:v1'])
  })

  it('nothing old: only the dangling prune', () => {
    const seen = host({ containers: [deployed(desired())], images: [tag('v2', IMAGE_V2)] })
    expect(prunePlan(seen, app, ['web'], 5).map((s) => s.what)).toEqual(['prune dangling images'])
  })
})
