import { afterAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { tryBuildx } from '../../src/image/index.js'
import { execLocal } from '../../src/local-exec.js'
import { APP, build, dockerConfig, helloArgs, input, removeLocalImages, runOnHost, world } from './build-fixture.js'
import { testbed } from './testbed.js'

// The fallback path, issue 5: without buildx, `DOCKER_BUILDKIT=1 docker build` (the engine's
// embedded BuildKit) plus `docker push`, and the output says which path ran. The client is
// Debian's docker 20.10 (package docker.io), with a DOCKER_CONFIG that has no buildx plugin.
const legacy = testbed.builder.legacyDocker
// Where Docker CE is installed (e.g. GitHub's runners), its buildx sits in a system plugin
// directory that every client finds: there is then no client without buildx, and these tests
// fail saying so rather than passing on the wrong path.
const noFallbackHere = (client: string) => `${client} has buildx on this machine (a system cli-plugins directory?), so the path without buildx cannot be exercised here`
const w = world({ buildx: false })
afterAll(async () => {
  await removeLocalImages()
  w.remove()
})

describe(`the fallback path (DOCKER_BUILDKIT=1 ${legacy} build, then push)`, () => {
  it(`${legacy} has no buildx here (the precondition, so the fallback is what runs), while the testbed's plugin makes it answer`, async () => {
    expect(await tryBuildx(w.exec, legacy), noFallbackHere(legacy)).toBe(false)
    // The control: the same client with a config holding the buildx the testbed built.
    const withPlugin = dockerConfig(join(w.root, 'with-buildx'), true)
    expect(await tryBuildx((argv, o) => execLocal(argv, { ...o, env: { ...o?.env, DOCKER_CONFIG: withPlugin } }), legacy)).toBe(true)
  })

  it('builds a committed change from a clone, pushes both tags, says which path ran, and a host runs it', async () => {
    const sha = w.commit('change for the fallback', { [`${APP}/message.txt`]: 'built without buildx\n' })
    const { report, lines } = await build(w, input('hello-legacy', { args: helloArgs(sha) }), { docker: legacy, legacyDocker: legacy })
    const says = `docker buildx is not installed for ${legacy}, so built with DOCKER_BUILDKIT=1 ${legacy} build and pushed with ${legacy} push.`
    expect(report).toMatchObject({ status: 'built', path: 'legacy' })
    expect(report.status === 'built' && report.notes[0]).toBe(says)
    expect(lines).toContain(`info: ${says}`)
    // The engine's BuildKit ran the build (its plain progress output), not the classic builder.
    expect(lines.some((l) => /^info: #\d+ \[internal\] load build definition from Dockerfile$/.test(l))).toBe(true)
    const pushes = w.calls.filter((c) => c.argv[1] === 'push').map((c) => c.argv)
    expect(pushes).toEqual([[legacy, 'push', report.image], [legacy, 'push', report.image.replace(/:[^:]+$/, ':latest')]])
    expect(await runOnHost(report.image, ['cat', '/www/version', '/ctx/message.txt'])).toBe(`${sha}\nbuilt without buildx\n`)
    expect(await runOnHost(report.image.replace(/:[^:]+$/, ':latest'), ['cat', '/www/version'])).toBe(`${sha}\n`)
  })
})

// Docker 23 and newer reach BuildKit only through buildx: without it, `DOCKER_BUILDKIT=1 docker
// build` stops ("BuildKit is enabled but the buildx component is missing"). That is the docker
// 28 client first on PATH here, with no buildx in its config: cutover uses the classic builder.
describe('the classic builder (a Docker 23+ client without buildx)', () => {
  it('builds, pushes, says which path ran and why, and a host runs the image', async () => {
    const client = (await w.exec(['docker', '--version'])).stdout
    expect(Number(/Docker version (\d+)/.exec(client)?.[1]), `the docker first on PATH is ${client.trim()}; this test needs Docker 23 or newer`).toBeGreaterThanOrEqual(23)
    expect(await tryBuildx(w.exec, 'docker'), noFallbackHere('docker')).toBe(false)

    const sha = w.commit('change for the classic builder', { [`${APP}/message.txt`]: 'built by the classic builder\n' })
    const { report, lines } = await build(w, input('hello-classic', { args: helloArgs(sha) }))
    expect(report).toMatchObject({ status: 'built', path: 'classic' })
    const says = /^docker buildx is not installed for docker, and docker \(Docker \d+\.\d+\.\d+\) reaches BuildKit only through buildx, which is not installed for it, so built with the classic builder \(DOCKER_BUILDKIT=0 docker build\) and pushed with docker push\.$/
    expect(report.status === 'built' && report.notes[0]).toMatch(says)
    expect(lines.some((l) => says.test(l.replace(/^info: /, '')))).toBe(true)
    expect(await runOnHost(report.image, ['sh', '-c', 'cat /www/version /ctx/message.txt; ls -A /ctx'])).toBe(`${sha}\nbuilt by the classic builder\n.dockerignore\nDockerfile\nconfig\nmessage.txt\n`)
  })
})
