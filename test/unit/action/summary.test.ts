import { describe, expect, it } from 'vitest'
import { duration, previousVersion, renderSummary, summaryLinks } from '../../../src/action/summary.js'
import { cancelledDeploymentState, renderCancelledSummary, renderInputErrorSummary } from '../../../src/action/summary-stopped.js'

const outcome = {
  service: 'shop',
  url: 'https://shop.example.test',
  retained: [],
  result: {
    version: 'v2',
    image: 'r/shop:v2',
    changed: true,
    hosts: [
      { host: 'vm1', role: 'web', action: 'replaced' as const, container: 'shop-web-v2', durationMs: 2345 },
      { host: 'vm|2', role: 'web', action: 'failed' as const, container: 'shop-web-v2', durationMs: 30_000, error: 'never healthy\n```\nlog | tail' },
    ],
  },
}

describe('renderSummary', () => {
  it('escapes table cells and fences log tails that contain backticks', () => {
    const md = renderSummary({ command: 'deploy', environment: 'production', ok: false, sha: 'a'.repeat(40), outcome })
    expect(md).toContain('### ❌ cutover deploy to `production`: failed')
    expect(md).toContain('| vm\\|2 | web | **failed** | — | `shop-web-v2` | 30.0 s |')
    expect(md).toContain('````text\nnever healthy\n```\nlog | tail\n````')
  })

  it('a removal shows no URL and no commit-less version', () => {
    const md = renderSummary({ command: 'preview-remove', environment: 'pr-3', ok: true, sha: 'b'.repeat(40), outcome: { ...outcome, result: { version: '', image: '', changed: false, hosts: [] } } })
    expect(md).toContain('⏸️ cutover preview removal to `pr-3`: nothing to change')
    expect(md).toContain('**Commit:** `bbbbbbbbbbbb`')
    expect(md).not.toContain('URL')
  })

  it.each([[999, '999 ms'], [2345, '2.3 s'], [61_000, '1 min 1 s']])('duration(%d) = %s', (ms, text) => {
    expect(duration(ms)).toBe(text)
  })
})

describe('the summary\'s previous versions, durations and links (issue 14)', () => {
  const retained = [
    { host: 'vm1', role: 'web', versions: [{ version: 'v2', container: 'c2', running: true }, { version: 'v1', container: 'c1', running: false }] },
    { host: 'vm2', role: 'web', versions: [{ version: 'v1', container: 'c1', running: true }] },
  ]
  it.each([
    ['replaced: the newest retained version that is not this run\'s', { host: 'vm1', role: 'web', action: 'replaced' }, 'v1'],
    ['unchanged: the same version', { host: 'vm1', role: 'web', action: 'unchanged' }, 'v2'],
    ['failed: what still runs there', { host: 'vm2', role: 'web', action: 'failed' }, 'v1'],
    ['booted: nothing before', { host: 'vm2', role: 'web', action: 'booted' }, undefined],
    ['unknown host: not known', { host: 'vm9', role: 'web', action: 'replaced' }, undefined],
  ])('%s', (_, h, expected) => {
    expect(previousVersion(h, retained, 'v2')).toBe(expected)
  })

  it('shows previous version per host, gate and build durations (not the hosts\', which have their rows) and the links', () => {
    const o = { ...outcome, retained, result: { ...outcome.result, hosts: [{ host: 'vm1', role: 'web', action: 'replaced' as const, container: 'shop-web-v2', durationMs: 2345, changes: ['image r/shop:v1 → r/shop:v2'] }] } }
    const links = summaryLinks({ GITHUB_SERVER_URL: 'https://github.com/', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '2' }, 'c'.repeat(40), 'production')
    const md = renderSummary({ command: 'deploy', environment: 'production', ok: true, sha: 'c'.repeat(40), outcome: o, timings: [{ name: 'gate', ms: 1500 }, { name: 'build', ms: 65_000 }, { name: 'host vm1', ms: 2345 }], totalMs: 70_000, links })
    expect(md).toContain('| vm1 | web | replaced | `v1` | `shop-web-v2` | 2.3 s |')
    expect(md).toContain('- **Durations:** gate 1.5 s · build 1 min 5 s · whole run 1 min 10 s')
    expect(md).not.toContain('host vm1 2.3 s')
    expect(md).toContain('#### Changes')
    expect(md).toContain('image r/shop:v1 → r/shop:v2')
    expect(md).toContain('[commit `cccccccccccc`](https://github.com/o/r/commit/cccccccccccccccccccccccccccccccccccccccc) · [run log](https://github.com/o/r/actions/runs/7/attempts/2) · [Deployments](https://github.com/o/r/deployments/production)')
  })

  it('links are left out outside a runner, and the Deployments link when no Deployment was recorded', () => {
    expect(summaryLinks({}, 'c'.repeat(40), 'production')).toEqual({})
    expect(summaryLinks({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r' }, 'c'.repeat(40))).toEqual({ commit: `https://github.com/o/r/commit/${'c'.repeat(40)}` })
  })
})

describe('summaries of runs that stopped', () => {
  it('input errors: every problem, and that nothing ran', () => {
    const md = renderInputErrorSummary(['Input `known-hosts` is required: …', 'Input `version` is "x y";\nfix it'])
    expect(md).toContain('### ❌ cutover did not start: the inputs need a fix')
    expect(md).toContain('Nothing was built, deployed or locked.')
    expect(md).toContain('- Input `known-hosts` is required: …')
    expect(md).toContain('- Input `version` is "x y"; fix it')
  })

  it('a cancelled run that reached the hosts: failure, what each host serves and retains, the lock', () => {
    expect(cancelledDeploymentState(true)).toBe('failure')
    const md = renderCancelledSummary({
      command: 'deploy', environment: 'production', sha: 'd'.repeat(40), reached: true, deployment: 'failure', elapsedMs: 12_000,
      serving: [{ host: 'vm1', role: 'web', versions: [{ version: 'v2', container: 'a', running: true }, { version: 'v1', container: 'b', running: false }] }, { host: 'vm2', role: 'web', versions: [] }],
      lock: { outcome: 'released', details: 'x' },
    })
    expect(md).toContain('### 🛑 cutover deploy to `production`: cancelled')
    expect(md).toContain('a host may have been switched before it stopped')
    expect(md).toContain('| vm1 | web | `v2` | `v1` |')
    expect(md).toContain('| vm2 | web | **nothing** | — |')
    expect(md).toContain('- **Deploy lock:** this run held it; released')
    expect(md).toContain('- **Deployment:** marked `failure`')
    expect(md).toContain('- **Ran for:** 12.0 s before the post step')
  })

  it('a cancelled run that never reached the hosts: inactive, nothing changed; a host read error is said', () => {
    expect(cancelledDeploymentState(false)).toBe('inactive')
    const md = renderCancelledSummary({ command: 'rollback', environment: 'staging', sha: 'e'.repeat(40), reached: false, deployment: 'inactive', serving: { error: 'vm1: connect ECONNREFUSED' } })
    expect(md).toContain('before it touched any host: nothing changed')
    expect(md).toContain('Could not read what the hosts serve: vm1: connect ECONNREFUSED')
    expect(md).toContain('- **Deployment:** marked `inactive`')
    expect(md).not.toContain('Deploy lock')
  })
})
