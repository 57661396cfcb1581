import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeRun, TestApp } from './support/app.js'
import { everything } from './support/cli.js'
import { concerning, describeEvents } from './support/events.js'
import { HostReader, hosts } from './support/hosts.js'
import { version } from './support/http.js'
import { testbed } from './testbed.js'

/**
 * Kamal's hooks run by the bundled CLI on the real testbed. The hooks are real scripts in the
 * app's .kamal/hooks; each appends what it saw to hooks.log, including whether the deploy lock
 * directory exists on the primary host at that moment, read over OpenSSH outside cutover.
 */

const app = new TestApp('h7hooks')
const reader = new HostReader()
const SENTINEL = `sentinel-h7hooks-${randomBytes(6).toString('hex')}`
const primary = hosts[0]!
const log = join(app.dir, 'hooks.log')
const failFlag = join(app.dir, 'fail-pre-deploy')

/** `held` or `free`: the lock directory on the primary host, as Kamal and cutover keep it. */
const LOCK_PROBE =
  `ssh -i '${testbed.ssh.keyPath}' -o UserKnownHostsFile='${testbed.ssh.knownHostsPath}' -o StrictHostKeyChecking=yes -o BatchMode=yes ` +
  `-p ${primary.sshPort} ${testbed.ssh.user}@${primary.address} "test -d .kamal/lock-${app.service} && echo held || echo free"`

function writeHooks(): void {
  const dir = join(app.dir, '.kamal/hooks')
  mkdirSync(dir, { recursive: true })
  for (const hook of ['pre-connect', 'pre-deploy', 'pre-app-boot', 'post-app-boot', 'post-deploy']) {
    const file = join(dir, hook)
    writeFileSync(
      file,
      [
        '#!/bin/sh',
        `lock=$(${LOCK_PROBE})`,
        `echo "${hook} KAMAL_LOCK=$KAMAL_LOCK host-lock=$lock KAMAL_HOSTS=$KAMAL_HOSTS KAMAL_VERSION=$KAMAL_VERSION KAMAL_COMMAND=$KAMAL_COMMAND KAMAL_RUNTIME=\${KAMAL_RUNTIME-} cwd=$(pwd)" >> hooks.log`,
        ...(hook === 'pre-deploy' ? [`if [ -f '${failFlag}' ]; then echo "pre-deploy refuses v$KAMAL_VERSION; the secret was $E2E_SENTINEL" >&2; exit 7; fi`] : []),
        '',
      ].join('\n'),
    )
    chmodSync(file, 0o755)
  }
}

const fired = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [])
const hostList = hosts.map((h) => h.address).join(',')

beforeAll(() => {
  app.configure({ clear: { GREETING: 'hooks' }, secrets: { E2E_SENTINEL: SENTINEL }, deployTimeout: 10 })
  app.buildImage('v1')
  app.buildImage('v2')
  writeHooks()
})

afterAll(async () => {
  await app.cleanup(reader)
  await reader.close()
})

describe('hooks on the testbed (bundled CLI)', () => {
  it('a deploy fires pre-connect, pre-deploy (lock held), pre/post-app-boot, then post-deploy with KAMAL_RUNTIME once the lock is released', async () => {
    const r = await app.deploy('v1')
    expect(r.code, describeRun(r)).toBe(0)
    const common = `KAMAL_HOSTS=${hostList} KAMAL_VERSION=v1 KAMAL_COMMAND=deploy`
    const lines = fired()
    expect(lines.map((l) => l.replace(/KAMAL_RUNTIME=\d+/, 'KAMAL_RUNTIME=N'))).toEqual([
      `pre-connect KAMAL_LOCK=false host-lock=free ${common} KAMAL_RUNTIME= cwd=${app.dir}`,
      `pre-deploy KAMAL_LOCK=true host-lock=held ${common} KAMAL_RUNTIME= cwd=${app.dir}`,
      `pre-app-boot KAMAL_LOCK=true host-lock=held ${common} KAMAL_RUNTIME= cwd=${app.dir}`,
      `post-app-boot KAMAL_LOCK=true host-lock=held ${common} KAMAL_RUNTIME= cwd=${app.dir}`,
      `post-deploy KAMAL_LOCK=false host-lock=free ${common} KAMAL_RUNTIME=N cwd=${app.dir}`,
    ])
    const runtime = Number(/KAMAL_RUNTIME=(\d+)/.exec(lines.at(-1)!)![1])
    expect(runtime).toBeLessThanOrEqual(Math.ceil(r.ms / 1000))
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v1')
  })

  it('the same version again is a no-op: pre-connect only, no pre-deploy or post-deploy', async () => {
    rmSync(log, { force: true })
    const r = await app.deploy('v1')
    expect(r.code, describeRun(r)).toBe(0)
    expect(r.json?.changed).toBe(false)
    expect(fired().map((l) => l.split(' ')[0])).toEqual(['pre-connect'])
  })

  it('a failing pre-deploy stops the deploy before any host changes: exit 1 naming the hook, its output redacted, v1 still serving, the lock released', async () => {
    rmSync(log, { force: true })
    writeFileSync(failFlag, '')
    const since = await Promise.all(hosts.map((h) => reader.now(h)))
    const r = await app.deploy('v2')
    const until = await Promise.all(hosts.map((h) => reader.now(h)))
    expect(r.code, describeRun(r)).toBe(1)
    expect(r.stderr).toMatch(/hook pre-deploy \(\.kamal\/hooks\/pre-deploy\) failed with exit code 7/)
    expect(r.stderr).toContain('pre-deploy refuses vv2; the secret was [redacted]')
    expect(everything(r)).not.toContain(SENTINEL)
    expect(fired().map((l) => l.split(' ')[0])).toEqual(['pre-connect', 'pre-deploy'])
    for (const [i, h] of hosts.entries()) {
      const ids = new Set((await reader.containers(h, app.service)).map((c) => c.id))
      const changes = concerning(await reader.events(h, since[i]!, until[i]!), { service: app.service, repository: app.repository, containerIds: ids })
      expect(describeEvents(changes), `${h.name}: events concerning ${app.service} during the refused deploy`).toEqual([])
      const running = (await reader.containers(h, app.service)).filter((c) => c.state === 'running')
      expect(running.map((c) => c.version), h.name).toEqual(['v1'])
      expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v1')
    }
    expect((await reader.sh(primary, `test -d .kamal/lock-${app.service} && echo held || echo free`)).trim()).toBe('free')
  })

  it('--skip-hooks runs none, and the deploy goes ahead', async () => {
    rmSync(log, { force: true })
    const r = await app.runWithEnv(['deploy', '--skip-build', '--skip-gate', '--version', 'v2', '--json', '--skip-hooks'], {})
    expect(r.code, describeRun(r)).toBe(0)
    expect(fired()).toEqual([])
    for (const h of hosts) expect(await version(h.httpUrl, app.proxyHost), h.name).toBe('v2')
    rmSync(failFlag, { force: true })
  })
})
