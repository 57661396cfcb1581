import { describe, expect, it } from 'vitest'
import { planHost } from '../../../src/plan/host.js'
import { shellJoin } from '../../../src/argv/shell-join.js'
import { describeStep } from '../../../src/plan/steps.js'
import { bareHost, desired, SECRET } from './fixtures.js'

describe('planHost', () => {
  it('two roles on one fresh host: network, proxy, env dir, login and pull once; each role its own container', () => {
    const web = desired()
    const worker = desired({ role: 'worker', proxy: null })
    const p = planHost([web, worker], bareHost())
    expect(p.roles.map((r) => [r.role, r.result.outcome, r.result.container])).toEqual([
      ['web', 'booted', 'app-web-v2'],
      ['worker', 'booted', 'app-worker-v2'],
    ])
    expect(p.steps.map((s) => s.kind)).toEqual([
      'ensureNetwork', 'mkdir', 'runProxy', 'pull', 'mkdir', 'writeFile', 'run', 'markPending', 'proxyDeploy', 'pruneImages', 'audit', 'clearPending',
      // The env directory is shared by the roles: created once.
      'writeFile', 'run', 'markPending', 'awaitHealthy', 'audit', 'clearPending',
    ])
  })

  it('describes every step in one line without secrets', () => {
    const lines = planHost([desired()], bareHost()).steps.map(describeStep)
    expect(lines).toEqual([
      'ensure the kamal network exists',
      'create directory /home/deploy/.kamal/proxy/apps-config',
      'boot kamal-proxy',
      'log in to registry.test:5000 and pull registry.test:5000/app:v2',
      'create directory .kamal/apps/app/env/roles',
      'write .kamal/apps/app/env/roles/web.env (1 secret key, mode 600)',
      'run app-web-v2',
      'note that the tidy-up after the switch is not done yet (for the next run, if this one stops early)',
      'switch app-web to app-web-v2',
      'prune dangling images',
      'append to the audit log',
      'clear that note: the tidy-up is done',
    ])
    const commands = planHost([desired()], bareHost()).steps.map((step) => ('exec' in step ? shellJoin(step.exec.argv) : null))
    expect(commands.join('\n')).not.toContain(SECRET)
    expect(commands[5]).toBeNull() // the env file is uploaded, not sent as a command
  })
})
