import { describe, expect, it } from 'vitest'
import type { HostState } from '../../../src/argv/observation.js'
import { plan } from '../../../src/plan/plan.js'
import type { Step } from '../../../src/plan/steps.js'
import { aliasTarget, bareHost, deployed, desired, desiredV1, host, IMAGE_V1, routeTo, tag } from './fixtures.js'

// Each situation planned under both strategies: the step kinds in order, where downtime starts and
// ends, and what a failed recreate restarts. `stop*` is a stop that must succeed (recreate);
// `stop~` a best-effort one (blue-green); `[` and `]` mark where downtime starts and ends.
const show = (steps: readonly Step[]): string =>
  steps
    .map((s) => `${s.downtime === 'starts' ? '[' : ''}${s.kind}${s.kind === 'stop' ? (s.bestEffort ? '~' : '*') : ''}${s.downtime === 'ends' ? ']' : ''}`)
    .join(' ')

const web = desired()
const webV1 = desiredV1()
const jobs = desired({ role: 'jobs', proxy: null })
const jobsV1 = desiredV1({ role: 'jobs', proxy: null })
const old = deployed(webV1)
const oldJobs = deployed(jobsV1)
const withOld = (over: Partial<HostState> = {}): HostState => host({ containers: [old], routes: [routeTo(web, aliasTarget(webV1))], images: [tag('v1', IMAGE_V1)], ...over })

type Row = [string, typeof web, HostState, string, string]
const rows: Row[] = [
  ['web, fresh host', web, bareHost(), 'ensureNetwork mkdir runProxy pull mkdir writeFile run proxyDeploy pruneImages audit', 'ensureNetwork mkdir runProxy pull mkdir writeFile run proxyDeploy pruneImages audit'],
  [
    'web, v1 serving',
    web,
    withOld(),
    'pull mkdir writeFile run proxyDeploy stop~ pruneImages audit',
    'pull mkdir writeFile [stop* run proxyDeploy] pruneImages audit',
  ],
  [
    'web, the new one already runs (killed run), v1 still routed',
    web,
    withOld({ containers: [old, deployed(web)] }),
    'proxyDeploy stop~ pruneImages audit',
    '[stop* proxyDeploy] pruneImages audit',
  ],
  [
    'web, the new one was created but not started',
    web,
    withOld({ containers: [old, deployed(web, { state: 'created' })] }),
    'start proxyDeploy stop~ pruneImages audit',
    '[stop* start proxyDeploy] pruneImages audit',
  ],
  [
    'web, same version, new settings: v2 steps aside (renamed) while it serves',
    web,
    withOld({ containers: [deployed(desired({ env: { clear: { MODE: 'old' }, secret: {} } }))], routes: [] }),
    'pull mkdir writeFile rename run proxyDeploy stop~ removeImages pruneImages audit',
    'pull mkdir writeFile [stop* rename run proxyDeploy] removeImages pruneImages audit',
  ],
  ['jobs (no proxy), fresh', jobs, host({ images: [] }), 'pull mkdir writeFile run awaitHealthy pruneImages audit', 'pull mkdir writeFile run awaitHealthy pruneImages audit'],
  [
    'jobs (no proxy), v1 running',
    jobs,
    host({ containers: [oldJobs], images: [tag('v1', IMAGE_V1)] }),
    'pull mkdir writeFile run awaitHealthy stop~ pruneImages audit',
    'pull mkdir writeFile [stop* run awaitHealthy] pruneImages audit',
  ],
  [
    'jobs, the new one already runs: downtime ends with the stop itself',
    jobs,
    host({ containers: [oldJobs, deployed(jobs)], images: [tag('v1', IMAGE_V1)] }),
    'stop~ pruneImages audit',
    '[stop* pruneImages audit',
  ],
]

describe('plan by strategy', () => {
  it.each(rows)('%s', (_, d, seen, blueGreen, recreate) => {
    expect(show(plan({ ...d, strategy: 'blue-green' }, seen).steps)).toBe(blueGreen)
    expect(show(plan({ ...d, strategy: 'recreate' }, seen).steps)).toBe(recreate)
  })

  it('recreate: the stop restarts exactly the containers it stopped when a later step fails', () => {
    const r = plan({ ...web, strategy: 'recreate' }, withOld())
    const stop = r.steps.find((s): s is Extract<Step, { kind: 'stop' }> => s.kind === 'stop')
    expect(stop?.exec.argv).toEqual(['docker', 'stop', old.id])
    expect(stop?.restore?.argv).toEqual(['docker', 'start', old.id])
  })

  it('blue-green: the stop restores nothing (nothing was stopped before the switch)', () => {
    const r = plan({ ...web, strategy: 'blue-green' }, withOld())
    expect(r.steps.find((s) => s.kind === 'stop')).not.toHaveProperty('restore')
  })

  it.each(['blue-green', 'recreate'] as const)('%s: no container is removed before the new one runs and is gated (state first, reap last)', (strategy) => {
    const retained = Array.from({ length: 6 }, (_, i) => deployed(desiredV1({ version: `v0${i}` }), { state: 'exited' }))
    const r = plan({ ...web, strategy, retain: 1 }, withOld({ containers: [old, ...retained] }))
    const at = (kind: Step['kind']) => r.steps.findIndex((s) => s.kind === kind)
    expect(at('remove')).toBeGreaterThan(at('proxyDeploy'))
    expect(at('proxyDeploy')).toBeGreaterThan(at('run'))
    // The new container's identity (version and digest labels) is set by `docker run` itself.
    const run = r.steps.find((s): s is Extract<Step, { kind: 'run' }> => s.kind === 'run')
    expect(run?.exec.argv.join(' ')).toMatch(/--label cutover\.digest=/)
  })

  it('the strategy is not part of the settings digest: switching it alone redeploys nothing', () => {
    const c = deployed(web)
    const seen = host({ containers: [c], routes: [routeTo(web, aliasTarget(web))] })
    expect(plan({ ...web, strategy: 'recreate' }, seen).steps).toEqual([])
    expect(plan({ ...web, strategy: 'blue-green' }, seen).steps).toEqual([])
  })
})

describe('reusing a container Kamal renamed aside', () => {
  const replaced = (over = {}) => deployed(webV1, { name: 'app-web-v1_replaced_0123abcd', state: 'exited', ...over })

  it('gets its canonical name back before it starts; the holder of the name steps aside first', () => {
    const holder = deployed(webV1, { name: 'app-web-v1', digest: 'other', state: 'exited' })
    const target = replaced()
    const r = plan(webV1, host({ containers: [deployed(web), holder, target], routes: [routeTo(web, aliasTarget(web))], images: [tag('v1', IMAGE_V1)] }))
    const renames = r.steps.filter((s): s is Extract<Step, { kind: 'rename' }> => s.kind === 'rename')
    expect(renames.map((s) => s.exec.argv)).toEqual([
      ['docker', 'rename', holder.id, 'app-web-v1_replaced_0123456789abcdef'],
      ['docker', 'rename', target.id, 'app-web-v1'],
    ])
    expect(show(r.steps)).toBe('rename rename start proxyDeploy stop~ pruneImages audit')
    expect(r.container).toBe('app-web-v1')
  })

  it('when nobody holds the name, only the reused one is renamed', () => {
    const target = replaced()
    const r = plan(webV1, host({ containers: [deployed(web), target], routes: [routeTo(web, aliasTarget(web))], images: [tag('v1', IMAGE_V1)] }))
    expect(r.steps.filter((s) => s.kind === 'rename').map((s) => ('exec' in s ? s.exec.argv : []))).toEqual([['docker', 'rename', target.id, 'app-web-v1']])
  })

  it('a reused container with any other name keeps it (only Kamal’s `_replaced_` names are ours to undo)', () => {
    const target = deployed(webV1, { name: 'hand-made', state: 'exited' })
    const r = plan(webV1, host({ containers: [deployed(web), target], routes: [routeTo(web, aliasTarget(web))], images: [tag('v1', IMAGE_V1)] }))
    expect(r.steps.some((s) => s.kind === 'rename')).toBe(false)
    expect(r.container).toBe('hand-made')
  })
})
