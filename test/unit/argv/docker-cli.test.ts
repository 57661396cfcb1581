import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import fc from 'fast-check'
import { escapeEnvFileValue, renderEnvFile } from '../../../src/argv/env-file.js'
import { plan } from '../../../src/plan/plan.js'
import type { DesiredRole } from '../../../src/plan/desired.js'
import type { Step } from '../../../src/plan/steps.js'
import { describeWithDocker } from '../helpers/docker-clients.js'
import { fakeDockerd, type FakeDockerd } from '../helpers/fake-dockerd.js'
import { tempDir } from '../helpers/sh.js'
import { desired, host } from '../plan/fixtures.js'

// The real docker CLI parses our argv and env file; a fake daemon records what it made of them.
// Without a docker CLI on PATH these tests cannot run: skipped outside CI, a failure under
// CI=true (see describeWithDocker).

interface CreateBody {
  Env: string[]
  Cmd: string[] | null
  Image: string
  Hostname: string
  Labels: Record<string, string>
  HostConfig: { Binds: string[] | null; RestartPolicy: { Name: string }; LogConfig: { Type: string; Config: Record<string, string> }; NetworkMode: string }
  NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] | null }> }
}

describeWithDocker('docker run as the docker CLI reads it (fake daemon)', () => {
  let dockerd: FakeDockerd
  beforeAll(async () => {
    dockerd = await fakeDockerd()
  })
  afterAll(async () => {
    await dockerd.close()
  })

  /** Execute the plan's writeFile + run steps the way the executor would, and return the create request. */
  async function create(d: DesiredRole): Promise<CreateBody> {
    const steps = plan(d, host()).steps
    const cwd = tempDir('home')
    const file = steps.find((s): s is Extract<Step, { kind: 'writeFile' }> => s.kind === 'writeFile')
    const run = steps.find((s): s is Extract<Step, { kind: 'run' }> => s.kind === 'run')
    if (!file || !run) throw new Error('plan has no writeFile/run step')
    mkdirSync(join(cwd, dirname(file.path)), { recursive: true })
    writeFileSync(join(cwd, file.path), file.content.reveal(), { mode: file.mode })
    const before = dockerd.requests.length
    const r = await dockerd.run(run.exec.argv, cwd)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const req = dockerd.requests.slice(before).find((q) => q.url.includes('/containers/create'))
    if (!req) throw new Error('no create request')
    expect(req.url).toContain(`name=${encodeURIComponent(run.container)}`)
    return JSON.parse(req.body) as CreateBody
  }

  const expectedEnv = (d: DesiredRole): string[] =>
    [
      // Secrets reach the container as Kamal's env file writes them (escaped, see env-file.ts).
      ...Object.entries(d.env.secret).map(([k, v]) => [k, escapeEnvFileValue(v)]),
      ...Object.entries({ KAMAL_CONTAINER_NAME: `app-web-${d.version}`, KAMAL_VERSION: d.version, KAMAL_HOST: d.host, ...d.env.clear }),
    ]
      .map(([k, v]) => `${k}=${v}`)
      .sort()

  it('hostile clear values arrive byte for byte, secrets as Kamal escapes them; labels, alias, restart, logging, volumes as planned', async () => {
    const hostile = `it's "q" $(touch /tmp/pwned) \`id\` ; & | > \\ \t ü😀 -x`
    const d = desired({
      env: { clear: { CLEAR: `${hostile}\nsecond line`, LEADING: '  spaced  ' }, secret: { SECRET: hostile, LEAD: '  x ', MULTI: 'pem\nlines\n' } },
      volumes: ['/srv/data:/data'],
      cmd: ['sh', '-c', 'echo "$0" $1', "a'b"],
    })
    const body = await create(d)
    expect([...body.Env].sort()).toEqual(expectedEnv(d))
    expect(body.Env).toContain('MULTI=pem\\nlines\\n')
    expect(body.Cmd).toEqual(['sh', '-c', 'echo "$0" $1', "a'b"])
    expect(body.Image).toBe('registry.test:5000/app:v2')
    expect(body.Hostname).toBe('vm1-0123456789ab')
    expect(body.Labels).toMatchObject({ service: 'app', role: 'web', destination: '', 'cutover.version': 'v2' })
    expect(body.Labels['cutover.digest']).toMatch(/^[0-9a-f]{64}$/)
    expect(body.NetworkingConfig.EndpointsConfig.kamal?.Aliases).toEqual([`cutover-${body.Labels['cutover.digest']?.slice(0, 24)}`])
    expect(body.HostConfig).toMatchObject({ NetworkMode: 'kamal', RestartPolicy: { Name: 'unless-stopped' }, LogConfig: { Config: { 'max-size': '10m' } }, Binds: ['/srv/data:/data'] })
  })

  it('any value the planner accepts arrives unchanged (clear) or as Kamal writes it (secret) (property)', async () => {
    const key = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/)
    const anyText = fc.string({ unit: 'binary', maxLength: 24 }).filter((v) => !v.includes('\0') && !/[\uD800-\uDFFF]/u.test(v))
    const fileText = anyText
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key.map((k) => `C_${k}`), anyText, { maxKeys: 3 }), fc.dictionary(key.map((k) => `S_${k}`), fileText, { maxKeys: 3 }), async (clear, secret) => {
        const d = desired({ env: { clear, secret } })
        expect([...(await create(d)).Env].sort()).toEqual(expectedEnv(d))
      }),
      { numRuns: 25 },
    )
  })

  it('the longest env-file line we accept is the longest the docker CLI reads', async () => {
    const cwd = tempDir('home')
    writeFileSync(join(cwd, 'ok.env'), renderEnvFile({ K: 'x'.repeat(65533) }))
    const ok = await dockerd.run(['docker', 'run', '--detach', '--env-file', 'ok.env', 'img'], cwd)
    expect(ok.code).toBe(0)
    expect(() => renderEnvFile({ K: 'x'.repeat(65534) })).toThrow(/65536 bytes/)
    writeFileSync(join(cwd, 'long.env'), `K=${'x'.repeat(65534)}\n`)
    const long = await dockerd.run(['docker', 'run', '--detach', '--env-file', 'long.env', 'img'], cwd)
    expect(long.code).not.toBe(0)
    expect(long.stderr).toMatch(/token too long/)
  })
})
