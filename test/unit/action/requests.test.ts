import { describe, expect, it } from 'vitest'
import type { ActionInputs } from '../../../src/action/inputs.js'
import { gateOptions } from '../../../src/action/requests.js'
import type { EventContext } from '../../../src/action/event.js'

const HEAD = 'a'.repeat(40)
const OLD = 'b'.repeat(40)
const event = { sha: HEAD, repository: 'acme/shop' } as EventContext
const inputs = (over: Partial<ActionInputs>): ActionInputs =>
  ({ command: 'deploy', githubToken: 't', gate: { enabled: undefined, checks: [], allowedConclusions: ['success'], timeoutMs: 60_000 }, ...over }) as ActionInputs

describe('which commit the gate checks', () => {
  it.each([
    ['a deploy: the event commit', inputs({}), HEAD],
    ['a rollback asked to wait, to a version that is a commit: that commit', inputs({ command: 'rollback', version: OLD, gate: { enabled: true, checks: [], allowedConclusions: ['success'], timeoutMs: 1 } }), OLD],
    ['a rollback asked to wait, to a version that is not a commit: the event commit', inputs({ command: 'rollback', version: 'v1.2', gate: { enabled: true, checks: [], allowedConclusions: ['success'], timeoutMs: 1 } }), HEAD],
  ])('%s', (_, i, sha) => {
    expect(gateOptions(i, event, {})?.sha).toBe(sha)
  })

  it('a rollback does not wait by default', () => {
    expect(gateOptions(inputs({ command: 'rollback', version: OLD }), event, {})).toBeUndefined()
  })
})
