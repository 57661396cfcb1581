import { createHash, randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { APP, build, helloArgs, input, removeLocalImages, runOnHost, world, type World } from './build-fixture.js'
import { testbed } from './testbed.js'

// Build secrets, issue 5: they go the way Docker passes them (`--secret id=NAME,env=NAME`, the
// value in the docker process's environment), never as build args and never in argv. Each path
// that supports them builds a Dockerfile whose RUN step reads the secret from its mount and
// writes only its hash, so the test can tell the right value arrived without the image holding it.
const worlds = { buildx: world({ buildx: true }), plain: world({ buildx: false }) }
afterAll(async () => {
  await removeLocalImages()
  for (const w of Object.values(worlds)) w.remove()
})

// BuildKit leaves secret values out of its cache keys, so a step that differs only in the
// secret would come from another test's cache (the engine's BuildKit is shared by two paths):
// VERSION (the commit) makes each test's step its own.
const secretDockerfile = `ARG BASE
FROM \${BASE}
ARG VERSION
RUN --mount=type=secret,id=APP_TOKEN,required=true mkdir -p /www && echo "$VERSION" > /www/version && sha256sum /run/secrets/APP_TOKEN | cut -d' ' -f1 > /www/secret-sha256
`

const paths: { label: string; w: World; deps: Record<string, string>; path: string }[] = [
  { label: 'buildx, the engine\'s builder', w: worlds.buildx, deps: {}, path: 'buildx' },
  { label: 'buildx, the remote buildkitd', w: worlds.buildx, deps: { buildxBuilder: testbed.builder.buildkitd.name }, path: 'buildx' },
  { label: `DOCKER_BUILDKIT=1 ${testbed.builder.legacyDocker}`, w: worlds.plain, deps: { docker: testbed.builder.legacyDocker, legacyDocker: testbed.builder.legacyDocker }, path: 'legacy' },
]

describe.each(paths)('builder.secrets with $label', ({ w, deps, path }) => {
  it('reach the RUN step through a secret mount, and appear in no argv, output or image', async () => {
    const value = `tok-${randomBytes(12).toString('base64url')}`
    const sha = w.commit('a build that needs a secret', { [`${APP}/Dockerfile.secret`]: secretDockerfile })
    const buildInput = { ...input(`hello-secret-${path}-${deps.buildxBuilder ? 'remote' : 'engine'}`, { args: helloArgs(sha), dockerfile: 'Dockerfile.secret', secrets: ['APP_TOKEN'] }), secretValues: { APP_TOKEN: value } }
    const before = w.calls.length
    const { report, lines } = await build(w, buildInput, deps)
    expect(report).toMatchObject({ status: 'built', path })

    expect(await runOnHost(report.image, ['cat', '/www/version', '/www/secret-sha256'])).toBe(`${sha}\n${createHash('sha256').update(value).digest('hex')}\n`)
    const calls = w.calls.slice(before)
    const buildCall = calls.find((c) => c.argv.includes('build'))!
    expect(buildCall.argv).toEqual(expect.arrayContaining(['--secret', 'id=APP_TOKEN,env=APP_TOKEN']))
    expect(buildCall.argv.join(' ')).not.toMatch(/--build-arg APP_TOKEN/)
    for (const text of [...lines, ...calls.flatMap((c) => [...c.argv, c.stdout, c.stderr])]) expect(text).not.toContain(value)
    // No file in the image holds it (the value is in this grep's own command line, so /proc is left out).
    const found = await runOnHost(report.image, ['sh', '-c', `grep -rlF '${value}' / --exclude-dir=proc --exclude-dir=sys 2>/dev/null || echo none`])
    expect(found.trim()).toBe('none')
  })
})
