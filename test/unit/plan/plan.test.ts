import { describe, expect, it } from 'vitest'
import * as docker from '../../../src/argv/docker.js'
import { plan } from '../../../src/plan/plan.js'
import { desiredContainer } from '../../../src/plan/container.js'
import type { Step } from '../../../src/plan/steps.js'
import { roleContainers } from '../../../src/plan/scope.js'
import { aliasTarget, bareHost, deployed, desired, desiredV1, host, IMAGE_V1, IMAGE_V2, kamalContainer, routeTo, SECRET, tag } from './fixtures.js'

const kinds = (steps: Step[]): string[] => steps.map((s) => s.kind)
const find = <K extends Step['kind']>(steps: Step[], kind: K): Extract<Step, { kind: K }> => {
  const s = steps.find((x) => x.kind === kind)
  if (!s) throw new Error(`no ${kind} step in ${kinds(steps).join(',')}`)
  return s as Extract<Step, { kind: K }>
}

describe('plan: outcomes by situation', () => {
  const d = desired()
  const v1 = desiredV1()

  it('fresh host: network, proxy, login and pull, env file, run, switch, audit → booted', () => {
    const r = plan(d, bareHost())
    expect(r.outcome).toBe('booted')
    expect(r.container).toBe('app-web-v2')
    expect(kinds(r.steps)).toEqual(['ensureNetwork', 'mkdir', 'runProxy', 'pull', 'mkdir', 'writeFile', 'run', 'proxyDeploy', 'pruneImages', 'audit'])
    expect(find(r.steps, 'mkdir').path).toBe('/home/deploy/.kamal/proxy/apps-config')
    expect(find(r.steps, 'proxyDeploy').exec.argv).toContain(`--target=${aliasTarget(d)}`)
  })

  it('unchanged: desired digest running, routed, nothing else running → zero steps', () => {
    const c = deployed(d)
    const r = plan(d, host({ containers: [c], routes: [routeTo(d, aliasTarget(d))] }))
    expect(r).toEqual({ outcome: 'unchanged', container: 'app-web-v2', digest: c.digest, steps: [], notes: [] })
  })

  it('unchanged even with retained stopped versions around', () => {
    const old = deployed(v1, { state: 'exited' })
    const r = plan(d, host({ containers: [old, deployed(d)], routes: [routeTo(d, aliasTarget(d))] }))
    expect(r.outcome).toBe('unchanged')
  })

  it('half-done: new container runs but the proxy still routes to the old one → switch, stop old', () => {
    const old = deployed(v1)
    const fresh = deployed(d)
    const r = plan(d, host({ containers: [old, fresh], routes: [routeTo(d, aliasTarget(v1))] }))
    expect(r.outcome).toBe('replaced')
    expect(kinds(r.steps)).toEqual(['proxyDeploy', 'stop', 'pruneImages', 'audit'])
    expect(find(r.steps, 'stop').exec.argv).toEqual(['docker', 'stop', old.id])
  })

  it('killed right after create: the created container is started and reused, not created again', () => {
    const old = deployed(v1)
    const created = deployed(d, { state: 'created' })
    const r = plan(d, host({ containers: [old, created], routes: [routeTo(d, aliasTarget(v1))] }))
    expect(kinds(r.steps)).toEqual(['start', 'proxyDeploy', 'stop', 'pruneImages', 'audit'])
    expect(find(r.steps, 'start').exec.argv).toEqual(['docker', 'start', created.id])
  })

  it('rollback: a retained stopped container with the desired digest is started; no pull even if the image is gone', () => {
    const retained = deployed(v1, { state: 'exited' })
    const current = deployed(d)
    const r = plan(v1, host({ containers: [retained, current], routes: [routeTo(d, aliasTarget(d))], images: [] }))
    expect(r.outcome).toBe('replaced')
    expect(r.container).toBe('app-web-v1')
    expect(kinds(r.steps)).toEqual(['start', 'proxyDeploy', 'stop', 'pruneImages', 'audit'])
    const sw = find(r.steps, 'proxyDeploy')
    expect(sw.exec.argv).toContain(`--target=${aliasTarget(v1)}`)
    // A reused container that fails its health check is stopped (kept for later), not removed.
    expect(sw.onFailure.cleanup.argv).toEqual(['docker', 'stop', retained.id])
    expect(find(r.steps, 'stop').exec.argv).toEqual(['docker', 'stop', current.id])
  })

  it('name collision: same version, changed settings → the holder is renamed Kamal-style, then a new one runs', () => {
    const before = desired({ env: { clear: { MODE: 'old' }, secret: {} } })
    const holder = deployed(before)
    const r = plan(d, host({ containers: [holder], routes: [routeTo(d, aliasTarget(before))], images: [tag('v2', IMAGE_V2)] }))
    expect(kinds(r.steps)).toEqual(['mkdir', 'writeFile', 'rename', 'run', 'proxyDeploy', 'stop', 'pruneImages', 'audit'])
    const rename = find(r.steps, 'rename')
    expect(rename.exec.argv).toEqual(['docker', 'rename', holder.id, 'app-web-v2_replaced_0123456789abcdef'])
    // The holder keeps serving under its new name: it is stopped by id after the switch.
    expect(find(r.steps, 'stop').exec.argv).toEqual(['docker', 'stop', holder.id])
    expect(find(r.steps, 'proxyDeploy').onFailure.cleanup.argv).toEqual(['docker', 'rm', '--force', 'app-web-v2'])
  })

  it("another service's container holding the name is not renamed: the plan says whose it is", () => {
    const foreign = { ...kamalContainer('x'), name: 'app-web-v2', service: 'other', role: 'web' }
    expect(() => plan(d, host({ containers: [foreign] }))).toThrow(/the container name app-web-v2 is taken by a container that is not app's \(service other, id aaaaaaaaaaaa\): rename or remove that container/)
    const unlabelled = { ...foreign, service: '', role: '' }
    expect(() => plan(d, host({ containers: [unlabelled] }))).toThrow(/not app's \(no service label, id /)
  })

  it('proxy absent but the app container is there → boot the proxy and route, no new container', () => {
    const r = plan(d, host({ proxy: null, routes: null, containers: [deployed(d)] }))
    expect(kinds(r.steps)).toEqual(['mkdir', 'runProxy', 'proxyDeploy', 'pruneImages', 'audit'])
  })

  it('proxy stopped → start it, then (re)deploy the route, since its routes cannot be read', () => {
    const r = plan(d, host({ proxy: { state: 'exited', image: 'basecamp/kamal-proxy:v0.9.2' }, routes: null, containers: [deployed(d)] }))
    expect(kinds(r.steps)).toEqual(['startProxy', 'proxyDeploy', 'pruneImages', 'audit'])
  })

  it('network not seen in use is ensured (idempotently) even for a role without the proxy', () => {
    const worker = desired({ role: 'worker', proxy: null })
    const r = plan(worker, host({ network: false }))
    expect(kinds(r.steps)).toEqual(['ensureNetwork', 'pull', 'mkdir', 'writeFile', 'run', 'awaitHealthy', 'pruneImages', 'audit'])
    expect(find(r.steps, 'ensureNetwork').exec.argv).toEqual(docker.ensureNetwork('kamal'))
  })

  it('network seen in use (a running container on it) → no network step', () => {
    const r = plan(desired({ role: 'worker', proxy: null }), host({ network: true }))
    expect(kinds(r.steps)).not.toContain('ensureNetwork')
  })

  it('stale extra containers running next to the routed one are stopped', () => {
    const stale = deployed(v1)
    const also = kamalContainer('v0')
    const r = plan(d, host({ containers: [stale, deployed(d), also], routes: [routeTo(d, aliasTarget(d))] }))
    expect(r.outcome).toBe('replaced')
    expect(kinds(r.steps)).toEqual(['stop', 'pruneImages', 'audit'])
    expect(find(r.steps, 'stop').containers.sort()).toEqual(['app-web-v0', 'app-web-v1'])
  })

  it("another destination's and another role's containers are ignored", () => {
    const staging = deployed(desired({ destination: 'staging' }))
    const worker = deployed(desired({ role: 'worker', proxy: null }))
    const r = plan(d, host({ containers: [staging, worker], images: [tag('v2', IMAGE_V2)] }))
    expect(r.outcome).toBe('booted')
    expect(r.steps.some((s) => s.kind === 'stop' || s.kind === 'remove')).toBe(false)
  })

  it('adopts a Kamal-deployed host: route by container id is recognised, old container stopped after the switch', () => {
    const k = kamalContainer('abc123')
    const r = plan(d, host({ containers: [k], routes: [routeTo(d, `${k.id.slice(0, 12)}:80`)] }))
    expect(r.outcome).toBe('replaced')
    expect(kinds(r.steps)).toEqual(['pull', 'mkdir', 'writeFile', 'run', 'proxyDeploy', 'stop', 'pruneImages', 'audit'])
  })

  it('a route with two targets is not "unchanged"', () => {
    const c = deployed(d)
    const route = { ...routeTo(d, aliasTarget(d)), targets: [aliasTarget(d), 'other:80'] }
    expect(plan(d, host({ containers: [c], routes: [route] })).steps.map((s) => s.kind)).toContain('proxyDeploy')
  })

  it('a route to the right container on the wrong port is not "unchanged"', () => {
    const c = deployed(d)
    const r = plan(d, host({ containers: [c], routes: [routeTo(d, `${desiredContainer(d).alias}:3000`)] }))
    expect(kinds(r.steps)).toContain('proxyDeploy')
  })

  it('unreadable routes: switch anyway and say why', () => {
    const r = plan(d, host({ containers: [deployed(d)], routes: null, routesError: 'kamal-proxy list failed (exit 1): boom' }))
    expect(kinds(r.steps)).toContain('proxyDeploy')
    expect(r.notes.join()).toMatch(/could not read kamal-proxy's routes/)
  })

  it('a proxy on another image is noted and left alone', () => {
    const r = plan(d, host({ proxy: { state: 'running', image: 'basecamp/kamal-proxy:v0.8.7' } }))
    expect(r.notes.join()).toMatch(/kamal-proxy runs basecamp\/kamal-proxy:v0.8.7/)
    expect(kinds(r.steps)).not.toContain('runProxy')
  })
})

describe('plan: image present vs missing', () => {
  const d = desired()
  it.each([
    ['missing', true, []],
    ['only other tags of the repository', true, [tag('v1', IMAGE_V1), tag('v2-rc', IMAGE_V2)]],
    ['present (same id)', false, [tag('v2', IMAGE_V2)]],
    ['present (the registry digest is one Docker recorded for the tag)', false, [tag('v2', `sha256:${'9'.repeat(64)}`, [`sha256:${'8'.repeat(64)}`, IMAGE_V2])]],
    ['tag moved to other content', true, [tag('v2', `sha256:${'9'.repeat(64)}`, [`sha256:${'8'.repeat(64)}`])]],
    ['the content is here under another tag only', true, [tag('v1', IMAGE_V2, [IMAGE_V2])]],
  ])('%s → pull: %s', (_, pulls, images) => {
    const r = plan(d, host({ images }))
    expect(kinds(r.steps).includes('pull')).toBe(pulls)
  })

  it('tags not listed (a first look) → treated as absent: a pull is planned, nothing is pruned', () => {
    const old = deployed(desiredV1({ retain: 1 }), { state: 'exited', created: '2025-01-01T00:00:00Z' })
    const older = deployed(desired({ version: 'v0', retain: 1 }), { state: 'exited', created: '2024-01-01T00:00:00Z' })
    const r = plan(desired({ retain: 1 }), host({ containers: [old, older], images: null }))
    expect(kinds(r.steps)).toContain('pull')
    expect(kinds(r.steps)).toContain('remove')
    expect(kinds(r.steps)).not.toContain('removeImages')
  })

  it('tags not listed do not change an unchanged verdict', () => {
    const c = deployed(d)
    expect(plan(d, host({ containers: [c], routes: [routeTo(d, aliasTarget(d))], images: null })).outcome).toBe('unchanged')
  })

  it('no registry credentials → a plain pull, no login', () => {
    const pull = find(plan(desired({ registry: null }), host()).steps, 'pull')
    expect(pull.exec.argv).toEqual(['docker', 'pull', 'registry.test:5000/app:v2'])
    expect(pull.server).toBeUndefined()
    expect(pull.exec.stdin).toBeUndefined()
  })

  it('logs in and pulls in one command (a private client config), the password on stdin only', () => {
    const pull = find(plan(d, host()).steps, 'pull')
    expect(pull.server).toBe('registry.test:5000')
    expect(pull.exec.argv).toEqual(docker.loginAndPull('registry.test:5000', 'deploy', 'registry.test:5000/app:v2'))
    expect(pull.exec.argv.join(' ')).not.toContain(SECRET)
    expect(pull.exec.stdin?.reveal()).toBe(SECRET)
  })
})

describe('plan: pruning', () => {
  const d = desired({ retain: 2 })
  it('keeps the newest `retain` stopped containers (the one stopped now included), removes the rest', () => {
    const mk = (version: string, created: string, state = 'exited') => deployed(desired({ version, retain: 2 }), { created, state })
    const current = mk('v1', '2025-01-05T00:00:00Z', 'running')
    // Fractions of different lengths must still sort by time.
    const a = mk('a', '2025-01-04T00:00:00.9Z')
    const b = mk('b', '2025-01-04T00:00:00.10Z')
    const c = mk('c', '2025-01-03T00:00:00Z')
    const e = mk('e', '2025-01-01T00:00:00Z', 'created')
    const r = plan(d, host({ containers: [c, e, a, current, b], images: [tag('v2', IMAGE_V2)] }))
    const remove = find(r.steps, 'remove')
    expect(remove.containers).toEqual(['app-web-b', 'app-web-c', 'app-web-e'])
    expect(remove.bestEffort).toBe(true)
    expect(r.steps.findIndex((s) => s.kind === 'remove')).toBeGreaterThan(r.steps.findIndex((s) => s.kind === 'proxyDeploy'))
  })

  it('removes repository tags no remaining container uses, keeps the deployed version and latest', () => {
    const old = deployed(desiredV1({ retain: 1 }), { state: 'exited', created: '2025-01-01T00:00:00Z', imageId: 'sha256:old1' })
    const older = deployed(desired({ version: 'v0', retain: 1 }), { state: 'exited', created: '2024-01-01T00:00:00Z', imageId: 'sha256:old0' })
    const otherRole = deployed(desired({ role: 'worker', proxy: null }), { imageId: 'sha256:worker' })
    const images = [tag('v1', 'sha256:old1'), tag('v0', 'sha256:old0'), tag('w', 'sha256:worker'), tag('latest', 'sha256:unused'), tag('zz', 'sha256:unused'), tag('v2', IMAGE_V2)]
    const r = plan(desired({ retain: 1 }), host({ containers: [old, older, otherRole], images }))
    expect(find(r.steps, 'remove').containers).toEqual(['app-web-v0'])
    expect(find(r.steps, 'removeImages').images).toEqual(['registry.test:5000/app:v0', 'registry.test:5000/app:zz'])
  })
})

describe("plan: pruning never touches another service's images", () => {
  // Production (`app`) and its PR previews (`app-pr-<N>`) share the repository; observe lists
  // every container on the host, so an image any of them uses (running or retained) is kept.
  const prod = desired({ retain: 1 })
  const preview = desired({ service: 'app-pr-7', version: 'pr-7-b', imageId: 'sha256:pr7b', retain: 1 })
  const prodV2 = deployed(prod)
  const prodV1 = deployed(desiredV1({ retain: 1 }), { state: 'exited', created: '2025-01-01T00:00:00Z', imageId: 'sha256:v1' })
  const prodV0 = deployed(desired({ version: 'v0', retain: 1 }), { state: 'exited', created: '2024-01-01T00:00:00Z', imageId: 'sha256:v0' })
  const pr7 = deployed(desired({ service: 'app-pr-7', version: 'pr-7-a', imageId: 'sha256:pr7a' }))
  const pr7Old = deployed(desired({ service: 'app-pr-7', version: 'pr-7-0', imageId: 'sha256:pr70' }), { state: 'exited', created: '2023-01-01T00:00:00Z' })
  const pr8Stopped = deployed(desired({ service: 'app-pr-8', version: 'pr-8-a', imageId: 'sha256:pr8a' }), { state: 'exited' })
  const proxyContainer = { ...kamalContainer('proxy'), name: 'kamal-proxy', service: '', role: '', destination: '', imageId: 'sha256:proxy' }
  const images = [
    tag('v2', IMAGE_V2), tag('v1', 'sha256:v1'), tag('v0', 'sha256:v0'),
    tag('pr-7-a', 'sha256:pr7a'), tag('pr-7-0', 'sha256:pr70'), tag('pr-7-b', 'sha256:pr7b'), tag('pr-8-a', 'sha256:pr8a'),
    tag('orphan', 'sha256:orphan'), tag('v0-copy', 'sha256:v0'),
  ]
  const everything = [proxyContainer, prodV2, prodV1, prodV0, pr7, pr7Old, pr8Stopped]

  it.each([
    // A production deploy: removes its own v0 (beyond retain 1, with the other tag of that image)
    // and the tags no container uses; every tag a preview container uses, running or not, stays.
    // (pr-7-b is used by no container yet: like the orphan, it is unused.)
    ['production deploy, previews running and stopped', prod, everything, ['registry.test:5000/app:v0', 'registry.test:5000/app:v0-copy', 'registry.test:5000/app:pr-7-b', 'registry.test:5000/app:orphan']],
    // A preview deploy: removes its own pr-7-0 (beyond retain 1) and the orphan; production's v2, v1 and v0 stay.
    ['preview deploy, production running with retained versions', preview, everything, ['registry.test:5000/app:pr-7-0', 'registry.test:5000/app:orphan']],
    // Without the previews on the host their tags are unused, and pruned like any other.
    ['production deploy, no previews on the host', prod, [proxyContainer, prodV2, prodV1, prodV0], ['registry.test:5000/app:v0', 'registry.test:5000/app:pr-7-a', 'registry.test:5000/app:pr-7-0', 'registry.test:5000/app:pr-7-b', 'registry.test:5000/app:pr-8-a', 'registry.test:5000/app:orphan', 'registry.test:5000/app:v0-copy']],
  ])('%s', (_, d, containers, removed) => {
    const r = plan(d, host({ containers, images, routes: [] }))
    expect(find(r.steps, 'removeImages').images.sort()).toEqual([...removed].sort())
  })

  it("an image whose last container of this service goes now is kept while another service's container uses it (ids, not tags, decide)", () => {
    const previewOnV0 = deployed(desired({ service: 'app-pr-9', version: 'pr-9', imageId: 'sha256:v0' }), { state: 'exited' })
    const tags = [tag('v2', IMAGE_V2), tag('v1', 'sha256:v1'), tag('v0', 'sha256:v0')]
    const r = plan(prod, host({ containers: [prodV2, prodV1, prodV0, previewOnV0], images: tags }))
    expect(find(r.steps, 'remove').containers).toEqual(['app-web-v0'])
    expect(r.steps.some((s) => s.kind === 'removeImages')).toBe(false)
    // The same host without that preview container: v0 goes with its container.
    const alone = plan(prod, host({ containers: [prodV2, prodV1, prodV0], images: tags }))
    expect(find(alone.steps, 'removeImages').images).toEqual(['registry.test:5000/app:v0'])
  })
})

describe('plan: the new container', () => {
  it('runs with labels, digest, alias, env file and hostname; no secret in argv', () => {
    const d = desired()
    const r = plan(d, host())
    const run = find(r.steps, 'run').exec.argv
    const want = desiredContainer(d)
    const pairs = (flag: string) => run.flatMap((w, i) => (w === flag ? [run[i + 1]] : []))
    expect(pairs('--label')).toEqual(['service=app', 'role=web', 'destination=', 'cutover.version=v2', `cutover.digest=${want.digest}`])
    expect(pairs('--network-alias')).toEqual([want.alias])
    expect(pairs('--env')).toEqual(['KAMAL_CONTAINER_NAME=app-web-v2', 'KAMAL_VERSION=v2', 'KAMAL_HOST=vm1', 'MODE=prod'])
    expect(pairs('--env-file')).toEqual(['.kamal/apps/app/env/roles/web.env'])
    expect(pairs('--hostname')).toEqual(['vm1-0123456789ab'])
    expect(run.join(' ')).not.toContain(SECRET)
    const file = find(r.steps, 'writeFile')
    expect(file).toMatchObject({ path: '.kamal/apps/app/env/roles/web.env', mode: 0o600, keys: 1 })
    expect(file.content.reveal()).toBe(`DB_PASSWORD=db-${SECRET}\n`)
  })

  it('a printed plan holds no secret', () => {
    const r = plan(desired(), bareHost())
    const printed = JSON.stringify(r)
    expect(printed).not.toContain(SECRET)
    expect(printed).toContain('[REDACTED]')
  })

  it('audit line is Kamal-shaped and says what happened', () => {
    const argv = find(plan(desired({ destination: 'prod' }), host()).steps, 'audit').exec.argv
    expect(argv.slice(-2)).toEqual(['[2025-01-02T03:04:05Z] [ci@example.com] [prod] [web] Booted app version v2 as app-web-prod-v2', '.kamal/app-prod-audit.log'])
  })

  it('roles without the proxy wait for health instead of switching; unchanged when running', () => {
    const w = desired({ role: 'worker', proxy: null })
    const r = plan(w, host({ containers: [deployed(desiredV1({ role: 'worker', proxy: null }))] }))
    expect(kinds(r.steps)).toEqual(['pull', 'mkdir', 'writeFile', 'run', 'awaitHealthy', 'stop', 'pruneImages', 'audit'])
    expect(plan(w, host({ containers: [deployed(w)] })).outcome).toBe('unchanged')
  })

  it('proxy deploy gets a timeout covering deploy + drain', () => {
    const sw = find(plan(desired({ deployTimeoutS: 40, drainTimeoutS: 20 }), host()).steps, 'proxyDeploy')
    expect(sw.exec.timeoutMs).toBe(90_000)
    expect(sw.exec.argv).toEqual(expect.arrayContaining(['--deploy-timeout=40s', '--drain-timeout=20s']))
    expect(sw.onFailure.logs.argv).toEqual(['docker', 'logs', '--tail', '50', 'app-web-v2'])
  })
})

describe('roleContainers (cutover versions)', () => {
  it('lists this role newest first with versions from labels', () => {
    const a = deployed(desiredV1(), { state: 'exited', created: '2025-01-01T00:00:00Z' })
    const b = deployed(desired({ version: 'v2-rc-1' }), { created: '2025-02-01T00:00:00Z' })
    const other = deployed(desired({ destination: 'staging' }))
    expect(roleContainers(host({ containers: [a, other, b] }), desired()).map((c) => [c.name, c.version, c.state])).toEqual([
      ['app-web-v2-rc-1', 'v2-rc-1', 'running'],
      ['app-web-v1', 'v1', 'exited'],
    ])
  })
})

describe('currentContainer (Kamal: the one running the latest-tagged image, else the newest running)', () => {
  const v1 = deployed(desiredV1(), { created: '2025-01-01T00:00:00Z' })
  const v2 = deployed(desired(), { created: '2025-02-01T00:00:00Z' })
  const v2stopped = deployed(desired(), { created: '2025-03-01T00:00:00Z', state: 'exited' })
  const current = (containers: typeof v1[], images: ReturnType<typeof tag>[] | null, ref = desired()) => roleContainers(host({ containers, images }), ref).find((c) => c.current)?.name ?? null
  it.each([
    ['latest points at v1, both run: v1 (v2 may be a half-done deploy)', [v1, v2], [tag('latest', IMAGE_V1), tag('v1', IMAGE_V1), tag('v2', IMAGE_V2)], v1.name],
    ['latest points at v2', [v1, v2], [tag('latest', IMAGE_V2)], v2.name],
    ['no latest tag: the newest running', [v1, v2], [tag('v1', IMAGE_V1)], v2.name],
    ['latest points at an image nothing runs: the newest running', [v1, v2], [tag('latest', `sha256:${'9'.repeat(64)}`)], v2.name],
    ['a stopped container is never current', [v1, v2stopped], [tag('latest', IMAGE_V2)], v1.name],
    ['nothing runs: none', [v2stopped], [tag('latest', IMAGE_V2)], null],
    ['images not listed (a first look): the newest running', [v1, v2], null, v2.name],
  ])('%s', (_, containers, images, want) => {
    expect(current(containers, images)).toBe(want)
  })
  it('with a destination, latest-<dest> counts, not latest', () => {
    const ref = desired({ destination: 'staging' })
    const a = deployed(desiredV1({ destination: 'staging' }), { created: '2025-01-01T00:00:00Z' })
    const b = deployed(desired({ destination: 'staging' }), { created: '2025-02-01T00:00:00Z' })
    expect(current([a, b], [tag('latest', IMAGE_V2), tag('latest-staging', IMAGE_V1)], ref)).toBe(a.name)
  })
})
