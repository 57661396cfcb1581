import { afterAll, describe, expect, it } from 'vitest'
import { tryBuildx } from '../../src/build/index.js'
import { APP, build, helloArgs, input, removeLocalImages, runOnHost, world } from './build-fixture.js'
import { testbed } from './testbed.js'

// The fallback path, issue 5: without buildx, `DOCKER_BUILDKIT=1 docker build` (the engine's
// embedded BuildKit) plus `docker push`, and the output says which path ran. The client is
// Debian's docker 20.10 (package docker.io), with a DOCKER_CONFIG that has no buildx plugin.
const legacy = testbed.builder.legacyDocker
const w = world({ buildx: false })
afterAll(async () => {
  await removeLocalImages()
  w.remove()
})

describe(`the fallback path (DOCKER_BUILDKIT=1 ${legacy} build, then push)`, () => {
  it(`${legacy} has no buildx here (the precondition, so the fallback is what runs)`, async () => {
    expect(await tryBuildx(w.exec, legacy)).toBe(false)
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
