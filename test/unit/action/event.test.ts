import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { EventError, resolveEvent } from '../../../src/action/event.js'
import type { ActionCommand } from '../../../src/action/inputs.js'
import { environmentName, newRunId, runUrl } from '../../../src/action/requests.js'
import { MERGE_SHA, pullRequestEvent, pushEvent } from '../../support/action/scenario.js'

const dir = mkdtempSync(join(tmpdir(), 'cutover-event-'))
let n = 0
function resolve(eventName: string, payload: unknown, command: ActionCommand = 'deploy', sha = MERGE_SHA, prInput?: number) {
  const path = join(dir, `${++n}.json`)
  writeFileSync(path, JSON.stringify(payload))
  return resolveEvent({ GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: path, GITHUB_SHA: sha, GITHUB_REPOSITORY: 'Codertocat/Hello-World' }, command, prInput)
}

describe('resolveEvent', () => {
  it.each(['opened', 'synchronize', 'closed'] as const)('pull_request %s: the head SHA and PR number, never GITHUB_SHA', (action) => {
    const payload = pullRequestEvent(action)
    const e = resolve('pull_request', payload, action === 'closed' ? 'preview-remove' : 'preview-deploy')
    expect(e).toMatchObject({ sha: payload.pull_request.head.sha, prNumber: payload.number, fromFork: false, action })
    expect(e.sha).not.toBe(MERGE_SHA)
  })

  it('push, schedule and workflow_dispatch use GITHUB_SHA', () => {
    const push = pushEvent()
    expect(resolve('push', push, 'deploy', push.after).sha).toBe(push.after)
    expect(resolve('schedule', { schedule: '0 3 * * *' }, 'deploy', push.after).sha).toBe(push.after)
    expect(resolve('workflow_dispatch', { inputs: {} }, 'rollback', push.after).prNumber).toBeUndefined()
  })

  it('a fork PR on pull_request is refused with the safe patterns', () => {
    const payload = pullRequestEvent('opened', { fork: 'mallory/Hello-World' })
    expect(() => resolve('pull_request', payload, 'preview-deploy')).toThrow(EventError)
    expect(() => resolve('pull_request', payload, 'preview-deploy')).toThrow(/pull_request_target.*workflow_run.*pr-number/s)
  })

  it('the fork refusal names the exact label gate preview-from-forks.yml uses, and links to the project\'s docs (not a path in the user\'s repository)', () => {
    const workflow = readFileSync(join(__dirname, '../../../docs/workflows/preview-from-forks.yml'), 'utf8')
    const gate = /^\s+if: (github\.event\.action == 'labeled'.*)$/m.exec(workflow)?.[1]
    expect(gate).toBeDefined()
    let message = ''
    try {
      resolve('pull_request', pullRequestEvent('opened', { fork: 'mallory/Hello-World' }), 'preview-deploy')
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toContain(gate!)
    expect(message).toContain('persist-credentials: false')
    expect(message).toMatch(/https:\/\/github\.com\/[^/]+\/cutover\/blob\/v1\/docs\/action\.md#pull-requests-from-forks/)
    expect(message).not.toMatch(/See docs\/action\.md/)
  })

  it('a deleted fork (head.repo null) counts as a fork', () => {
    const payload = pullRequestEvent('opened')
    ;(payload.pull_request.head as { repo: unknown }).repo = null
    expect(() => resolve('pull_request', payload, 'preview-deploy')).toThrow(/comes from a fork/)
  })

  it('pull_request_target from a fork is allowed and still uses the head', () => {
    const payload = pullRequestEvent('labeled', { fork: 'contributor/Hello-World' })
    const e = resolve('pull_request_target', payload, 'preview-deploy')
    expect(e).toMatchObject({ fromFork: true, sha: payload.pull_request.head.sha })
  })

  it('workflow_run: the triggering run\'s head commit, the PR from pr-number when GitHub leaves pull_requests empty (forks)', () => {
    const payload = { workflow_run: { head_sha: 'f'.repeat(40), head_repository: { full_name: 'contributor/Hello-World' }, pull_requests: [] } }
    expect(() => resolve('workflow_run', payload, 'preview-deploy', 'a'.repeat(40))).toThrow(/pass `pr-number`/)
    expect(resolve('workflow_run', payload, 'preview-deploy', 'a'.repeat(40), 7)).toMatchObject({ sha: 'f'.repeat(40), prNumber: 7, fromFork: true })
  })

  it('no repository or commit: says to run inside a workflow', () => {
    expect(() => resolveEvent({}, 'deploy')).toThrow(/GITHUB_REPOSITORY/)
    expect(() => resolveEvent({ GITHUB_REPOSITORY: 'a/b' }, 'deploy')).toThrow(/no commit to deploy/)
  })
})

describe('names', () => {
  it('environment: destination, production, or pr-<N>', () => {
    expect(environmentName({ command: 'deploy', destination: 'staging' }, {})).toBe('staging')
    expect(environmentName({ command: 'rollback', destination: undefined }, {})).toBe('production')
    expect(environmentName({ command: 'preview-deploy', destination: 'staging' }, { prNumber: 12 })).toBe('pr-12')
  })

  it('run ids: run, attempt and a per-job nonce; the run page', () => {
    expect(newRunId({ GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '2' }, 'abcd1234')).toBe('77-2-abcd1234')
    expect(newRunId({}, 'abcd1234')).toBe('local-abcd1234')
    expect(newRunId({ GITHUB_RUN_ID: '77' })).not.toBe(newRunId({ GITHUB_RUN_ID: '77' }))
    expect(runUrl({ GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '2' })).toBe('https://ghe.example.com/o/r/actions/runs/77/attempts/2')
  })
})

// The examples package must keep providing the three payloads the tests rely on.
it('@octokit/webhooks-examples has pull_request opened, synchronize and closed', () => {
  const idx = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: { action?: string }[] }[]
  const actions = new Set(idx.find((w) => w.name === 'pull_request')!.examples.map((e) => e.action))
  expect(['opened', 'synchronize', 'closed'].every((a) => actions.has(a))).toBe(true)
})
