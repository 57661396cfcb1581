import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { deploy, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { deployHooks, HookRunner } from '../../../src/hooks/index.js'
import { memoryLogger } from '../../../src/log.js'
import { tempDir } from '../helpers/sh.js'
import { d, fakeHost, type Situation } from './fleet.js'

// Kamal's pre-app-boot and post-app-boot fire around each boot group (`boot.limit`), with
// KAMAL_HOSTS = that group's hosts. A real deploy() over two hosts whose commands run in a real sh
// with a fake docker CLI (fleet.ts); the hooks are real scripts that log their name, KAMAL_HOSTS,
// and how many proxy switches the two hosts had seen by then (so the log shows each pair wraps
// its own group's switch, and the second group's pre-app-boot runs after the first group's).

const HOOKS = ['pre-deploy', 'pre-app-boot', 'post-app-boot', 'post-deploy'] as const

function hooksDir(callLogs: string[]): { dir: string; log: string } {
  const dir = tempDir('app')
  const log = join(dir, 'hooks.log')
  mkdirSync(join(dir, '.kamal/hooks'), { recursive: true })
  for (const name of HOOKS) {
    const file = join(dir, '.kamal/hooks', name)
    const switched = `$(cat ${callLogs.map((f) => `'${f}'`).join(' ')} | grep -c 'kamal-proxy deploy')`
    writeFileSync(file, `#!/bin/sh\necho "${name} hosts=$KAMAL_HOSTS switched=${switched}" >> '${log}'\n`)
    chmodSync(file, 0o755)
  }
  return { dir, log }
}

async function rollOut(situations: Record<'vm1' | 'vm2', Situation>, limit: number | null) {
  const fleet = { vm1: fakeHost(situations.vm1, 'vm1'), vm2: fakeHost(situations.vm2, 'vm2') }
  const callLogs = Object.values(fleet).map((f) => join(f.dockerDir, 'calls.log'))
  const app = hooksDir(callLogs)
  const logger = memoryLogger()
  const hooks = deployHooks(
    new HookRunner({
      dir: join(app.dir, '.kamal/hooks'),
      cwd: app.dir,
      skip: false,
      run: { service: 'app', version: 'v2', performer: 'me', command: 'deploy', hosts: ['vm1', 'vm2'] },
      secrets: () => ({}),
      redact: (t) => t,
      logger,
    }),
  )
  const request: ConvergeRequest = {
    version: 'v2',
    image: 'registry.test:5000/app:v2',
    targets: [
      { host: 'vm1', roles: [d] },
      { host: 'vm2', roles: [d] },
    ],
    boot: { limit, waitS: 0 },
    lock: { host: 'vm1', app: { service: 'app', destination: null }, details: { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' } },
  }
  const result = await deploy(request, { pool: { host: async (name) => fleet[name as 'vm1' | 'vm2'].host }, logger, redact: (t) => t, kamalHooks: hooks })
  await hooks.postDeploy(result.hosts.every((h) => h.action !== 'failed'))
  return {
    fired: existsSync(app.log) ? readFileSync(app.log, 'utf8').trim().split('\n') : [],
    actions: result.hosts.map((h) => `${h.host}:${h.action}`),
  }
}

describe('pre-app-boot and post-app-boot fire once per boot group, with that group\'s hosts', () => {
  it('boot.limit 1 over 2 hosts: two pairs, each around its own group\'s switch', async () => {
    const r = await rollOut({ vm1: 'work', vm2: 'work' }, 1)
    expect(r.actions).toEqual(['vm1:replaced', 'vm2:replaced'])
    expect(r.fired).toEqual([
      'pre-deploy hosts=vm1,vm2 switched=0',
      'pre-app-boot hosts=vm1 switched=0',
      'post-app-boot hosts=vm1 switched=1',
      'pre-app-boot hosts=vm2 switched=1',
      'post-app-boot hosts=vm2 switched=2',
      'post-deploy hosts=vm1,vm2 switched=2',
    ])
  })

  it('no boot.limit: one pair for both hosts', async () => {
    const r = await rollOut({ vm1: 'work', vm2: 'work' }, null)
    expect(r.fired).toEqual([
      'pre-deploy hosts=vm1,vm2 switched=0',
      'pre-app-boot hosts=vm1,vm2 switched=0',
      'post-app-boot hosts=vm1,vm2 switched=2',
      'post-deploy hosts=vm1,vm2 switched=2',
    ])
  })

  it('a group where every host is unchanged boots nothing and fires no pair', async () => {
    const r = await rollOut({ vm1: 'work', vm2: 'unchanged' }, 1)
    expect(r.actions).toEqual(['vm1:replaced', 'vm2:unchanged'])
    expect(r.fired).toEqual([
      'pre-deploy hosts=vm1,vm2 switched=0',
      'pre-app-boot hosts=vm1 switched=0',
      'post-app-boot hosts=vm1 switched=1',
      'post-deploy hosts=vm1,vm2 switched=1',
    ])
  })

  it('a failed first group: its pre-app-boot only, then the rollout stops (no post-app-boot, nothing for the second group, no post-deploy)', async () => {
    const r = await rollOut({ vm1: 'switch fails', vm2: 'work' }, 1)
    expect(r.actions).toEqual(['vm1:failed', 'vm2:failed'])
    expect(r.fired).toEqual(['pre-deploy hosts=vm1,vm2 switched=0', 'pre-app-boot hosts=vm1 switched=0'])
  })
})
