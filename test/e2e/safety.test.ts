import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { machineDockerConfig } from '../testbed/registry.js'
import { hostContainer } from '../testbed/layout.js'
import { describeRun, TestApp } from './support/app.js'
import { HostReader, hosts } from './support/hosts.js'
import { testbed } from './testbed.js'

/**
 * Deploy safety through the bundled CLI on the testbed (issue 11): a secret an app logs in base64
 * never reaches any output; a host whose SSH connection goes silent fails within 30 s, named; a
 * lock with a dead holder is reported stale and `--break-stale-lock` proceeds, while a live lock
 * (a deploy paused with CUTOVER_PAUSE_AT) is never broken.
 */

const SECRET = 'safety-b64-Secret-7f3a9c'
const app = new TestApp('safety')
const reader = new HostReader()
const [primary, second] = hosts as [(typeof hosts)[number], (typeof hosts)[number]]
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
})

/** An image that never becomes healthy and prints its secret env in base64 (at 3 alignments), hex, and URL-ish forms. */
function buildLeakyImage(version: string): void {
  const dir = join(app.dir, 'leaky-image')
  mkdirSync(dir, { recursive: true })
  const script = [
    'echo leaky-app: starting',
    'printf %s "$E2E_SAFETY_SECRET" | base64',
    'printf "x%s" "$E2E_SAFETY_SECRET" | base64',
    'printf "xy%s" "$E2E_SAFETY_SECRET" | base64',
    'printf %s "$E2E_SAFETY_SECRET" | od -An -tx1 | tr -d " \\n"; echo',
    "trap 'exit 0' TERM INT; while :; do sleep 1; done",
  ].join('; ')
  writeFileSync(join(dir, 'Dockerfile'), `ARG BASE\nFROM \${BASE}\nCMD ["sh", "-c", ${JSON.stringify(script)}]\n`)
  const ref = `${app.repository}:${version}`
  const docker = (...args: string[]) => execFileSync('docker', ['--config', machineDockerConfig, ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  docker('build', '-q', '--build-arg', `BASE=${testbed.baseImage}`, '-t', ref, dir)
  docker('push', '-q', ref)
}

/** Every form of the secret the app printed: no output may carry any (base64 cores at each alignment checked by decoding). */
function expectNoSecret(text: string, where: string): void {
  const forms = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex'), encodeURIComponent(SECRET)]
  for (const f of forms) expect(text.includes(f), `${where} carries ${f.slice(0, 6)}…`).toBe(false)
  // What an attacker would do with a base64 stream: decode it at every alignment.
  for (const token of text.match(/[A-Za-z0-9+/=]{8,}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) expect(Buffer.from(token.slice(skip), 'base64').toString('latin1').includes(SECRET), `${where}: base64 ${token.slice(0, 8)}…`).toBe(false)
  }
}

describe('deploy safety', () => {
  it('a secret the app prints in base64, hex and raw while never getting healthy appears in no output (stderr, --json, trace)', async () => {
    app.configure({ secrets: { E2E_SAFETY_SECRET: SECRET }, deployTimeout: 5 })
    buildLeakyImage('leak1')
    app.clearTrace()
    const r = await app.deploy('leak1')
    expect(r.code, describeRun(r)).toBe(1)
    expect(r.json, describeRun(r)).toMatchObject({ ok: false, version: 'leak1' })
    // The log tail was shown (so the test looked at real app output), with the secret's forms redacted.
    expect(r.stderr).toContain('leaky-app: starting')
    expect(r.stderr).toContain('[redacted]')
    expectNoSecret(r.stderr, 'stderr')
    expectNoSecret(r.stdout, '--json')
    expectNoSecret(JSON.stringify(app.trace()), 'the command trace')
  }, 240_000)

  it('a host whose SSH connection goes silent (its container paused) fails within 30 s, named; progress lines name host, step and time', async () => {
    app.configure({ secrets: { E2E_SAFETY_SECRET: SECRET }, deployTimeout: 60 })
    // A version that never gets healthy: every host waits in kamal-proxy's deploy, the longest wait there is.
    buildLeakyImage('slow1')
    const running = app.startDeploy('slow1')
    const paused = hostContainer(Number(second.name.replace(/^vm/, '')))
    let pausedAt = 0
    try {
      await running.waitForStderr(new RegExp(`\\[${esc(second.address)}\\] web: switch `), 90_000)
      execFileSync('docker', ['pause', paused])
      pausedAt = Date.now()
      await running.waitForStderr(new RegExp(`error: (deploy: )?\\[${esc(second.address)}\\] web: ${esc(second.address)}: .*stopped answering SSH keepalives`), 45_000)
      const failedAfterMs = Date.now() - pausedAt
      console.log(`safety: ${second.name} failed ${failedAfterMs} ms after its container was paused`)
      expect(failedAfterMs).toBeLessThan(30_000)
      // The healthy host is still waiting on its switch: a progress line names it, the step and the time.
      await running.waitForStderr(new RegExp(`still waiting on ${esc(primary.address)}: switch \\S+ to \\S+ \\(\\d+s\\)`), 20_000)
    } finally {
      if (pausedAt) execFileSync('docker', ['unpause', paused])
      running.child.kill('SIGINT')
    }
    const r = await running.done
    // SIGINT: the lock is released and --json still gets its one object.
    expect(r.code, describeRun(r)).toBe(130)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/^stopped by SIGINT/) })
    const status = await app.run(['lock', 'status', '--json'])
    expect(JSON.parse(status.stdout)).toMatchObject({ held: false })
  }, 240_000)

  it('a lock whose holder died is reported stale with its age; --break-stale-lock proceeds; a live lock is never broken', async () => {
    app.configure({ secrets: { E2E_SAFETY_SECRET: SECRET }, deployTimeout: 30 })
    app.buildImage('v1')
    app.buildImage('v2')
    // A dead holder: its lock written as cutover writes it, its last heartbeat 10 minutes ago.
    const details = Buffer.from(`Locked by: dead-holder@ci at 2026-01-01T00:00:00Z\nVersion: v0\nMessage: Deploying v0`).toString('base64')
    await reader.sh(primary, 'mkdir -p "$1" && printf "%s\\n" "$2" > "$1/details" && echo $(( $(date +%s) - 600 )) > "$1/cutover-heartbeat"', `.kamal/lock-${app.service}`, details)

    const status = await app.run(['lock', 'status', '--json'])
    expect(status.code, describeRun(status)).toBe(0)
    const s = JSON.parse(status.stdout) as { held: boolean; stale: boolean; ageS: number; heartbeatAgeS: number; details: { lockedBy: string } }
    expect(s).toMatchObject({ held: true, stale: true, details: { lockedBy: 'dead-holder@ci' } })
    expect(s.heartbeatAgeS).toBeGreaterThanOrEqual(600)
    expect(s.ageS).toBeGreaterThanOrEqual(0)
    const text = await app.run(['lock', 'status'])
    expect(text.stdout).toMatch(/Held for \d+s, last heartbeat 10m \d+s ago: STALE/)

    const refused = await app.deploy('v1')
    expect(refused.code, describeRun(refused)).toBe(1)
    expect(refused.json).toMatchObject({ ok: false, error: expect.stringMatching(/is held: locked by dead-holder@ci .* so it is stale: run again with --break-stale-lock/) })

    const broke = await app.run(['deploy', '--skip-build', '--skip-gate', '--version', 'v1', '--json', '--break-stale-lock'])
    expect(broke.code, describeRun(broke)).toBe(0)
    expect(broke.stderr).toMatch(/warning: .*breaking the stale deploy lock .* locked by dead-holder@ci/)
    expect(JSON.parse(broke.stdout)).toMatchObject({ ok: true, version: 'v1' })

    // A live holder: a deploy paused after starting its containers keeps its heartbeat fresh.
    const live = app.startDeploy('v2', { CUTOVER_PAUSE_AT: 'after-start' })
    try {
      await live.waitForStderr(/cutover: paused at after-start/, 90_000)
      await new Promise((r) => setTimeout(r, 2_000))
      const other = await app.run(['deploy', '--skip-build', '--skip-gate', '--version', 'v2', '--json', '--break-stale-lock'])
      expect(other.code, describeRun(other)).toBe(1)
      expect(JSON.parse(other.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/Its heartbeat is live, so --break-stale-lock leaves it alone/) })
      expect(other.stderr).not.toMatch(/breaking the stale deploy lock/)
      const still = JSON.parse((await app.run(['lock', 'status', '--json'])).stdout) as { held: boolean; stale: boolean; heartbeatAgeS: number; details: { lockedBy: string; version: string } }
      expect(still).toMatchObject({ held: true, stale: false, details: { version: 'v2' } })
      expect(still.heartbeatAgeS).toBeLessThan(30)
    } finally {
      live.child.kill('SIGKILL')
      await live.done
      await app.run(['lock', 'release'])
    }
  }, 300_000)
})
