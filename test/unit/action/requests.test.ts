import { describe, expect, it } from 'vitest'
import type { ActionInputs } from '../../../src/action/inputs.js'
import { deploymentRef, gateOptions } from '../../../src/action/requests.js'
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

  // Tags can be hex too (a date, a word): only a full 40-hex version is a commit.
  it.each([
    ['20240612', HEAD],
    ['deadbeef', HEAD],
    ['abc1234', HEAD],
    ['a'.repeat(39), HEAD],
    ['b'.repeat(41), HEAD],
    [OLD, OLD],
    [OLD.toUpperCase(), OLD],
  ])('a rollback to %s: the gate and the Deployment ref use %s', (version, sha) => {
    const i = inputs({ command: 'rollback', version, gate: { enabled: true, checks: [], allowedConclusions: ['success'], timeoutMs: 1 } })
    expect(gateOptions(i, event, {})?.sha).toBe(sha)
    expect(deploymentRef(i, event)).toBe(sha)
  })

  it('only a rollback takes its ref from the version', () => {
    expect(deploymentRef(inputs({ command: 'deploy', version: OLD }), event)).toBe(HEAD)
  })

  it('a rollback does not wait by default', () => {
    expect(gateOptions(inputs({ command: 'rollback', version: OLD }), event, {})).toBeUndefined()
  })
})
