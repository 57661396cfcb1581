import { describe, expect, it } from 'vitest'
import type { ObservedContainer } from '../../../src/argv/observation.js'
import { removedRoles } from '../../../src/plan/removed-roles.js'

const c = (role: string, o: Partial<ObservedContainer> = {}): ObservedContainer => ({ id: 'x'.repeat(64), name: `app-${role}`, state: 'running', created: '', imageId: '', health: null, service: 'app', role, destination: '', version: 'v1', digest: null, ...o })

describe('removedRoles: roles of this app running on a host but gone from its config', () => {
  it.each([
    ['a role no longer configured here', [c('web'), c('jobs')], ['web'], ['jobs']],
    ['every configured role: none', [c('web'), c('jobs')], ['web', 'jobs'], []],
    ['stopped (retained) containers do not count', [c('web'), c('jobs', { state: 'exited' })], ['web'], []],
    ['another service or destination is not ours', [c('web'), c('jobs', { service: 'other' }), c('cron', { destination: 'staging' })], ['web'], []],
    ['containers without a role (kamal-proxy) are ignored', [c('', { service: '' })], ['web'], []],
    ['one line per role, sorted', [c('b'), c('a'), c('b', { id: 'y'.repeat(64) })], [], ['a', 'b']],
  ])('%s', (_, containers, desired, expected) => {
    expect(removedRoles(containers, { service: 'app', destination: '' }, desired)).toEqual(expected)
  })
})
