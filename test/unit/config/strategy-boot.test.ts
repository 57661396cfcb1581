import { describe, expect, it } from 'vitest'
import { cfg, errorsOf, loadFrom, okOf } from './helpers.js'

const D = 'config/deploy.yml'
const servers = `servers:
  web: [10.0.0.1, 10.0.0.2]
  jobs:
    hosts: [10.0.0.3]
    cmd: bin/jobs`
const load = (extra: string) => loadFrom({ [D]: cfg(`${servers}\n${extra}`) })

describe('x-cutover.roles.<role>.strategy', () => {
  it.each([
    ['no x-cutover: blue-green for every role', '', { jobs: 'blue-green', web: 'blue-green' }],
    ['recreate for one role', 'x-cutover:\n  roles:\n    web: {strategy: recreate}', { jobs: 'blue-green', web: 'recreate' }],
    ['both named', 'x-cutover:\n  roles:\n    web: {strategy: blue-green}\n    jobs: {strategy: recreate}', { jobs: 'recreate', web: 'blue-green' }],
    ['a role with no settings', 'x-cutover:\n  roles:\n    web:', { jobs: 'blue-green', web: 'blue-green' }],
  ])('%s', (_, extra, want) => {
    const r = okOf(load(extra))
    expect(Object.fromEntries(r.config.roles.map((role) => [role.name, role.strategy]))).toEqual(want)
  })

  it.each([
    ['reserved rolling', 'web: {strategy: rolling}', 'x-cutover/roles/web/strategy', '"rolling" is reserved and not implemented', 'one of: blue-green, recreate'],
    ['reserved canary', 'web: {strategy: canary}', 'x-cutover/roles/web/strategy', '"canary" is reserved and not implemented', 'one of: blue-green, recreate'],
    ['unknown value', 'web: {strategy: bluegreen}', 'x-cutover/roles/web/strategy', '"bluegreen" is not a deploy strategy', 'one of: blue-green, recreate'],
    ['not a string', 'web: {strategy: 5}', 'x-cutover/roles/web/strategy', 'is not a string', 'one of: blue-green, recreate'],
    ['empty', 'web: {strategy: }', 'x-cutover/roles/web/strategy', 'has no value', 'one of: blue-green, recreate'],
    ['a typo in a role name', 'wbe: {strategy: recreate}', 'x-cutover/roles/wbe', 'names the role "wbe", which is not under servers (did you mean `web`?)', 'one of the roles: jobs, web'],
    ['an unknown role name', 'workers: {strategy: recreate}', 'x-cutover/roles/workers', 'names the role "workers", which is not under servers', 'one of the roles: jobs, web'],
    ['a typo in the key', 'web: {strategey: recreate}', 'x-cutover/roles/web/strategey', 'is not a known key (did you mean `strategy`?)', 'one of: strategy'],
  ])('%s: refused with file, line and key path', (_, role, keyPath, message, expected) => {
    const errors = errorsOf(load(`x-cutover:\n  roles:\n    ${role}`))
    expect(errors).toEqual([{ file: D, line: expect.any(Number), keyPath, message, expected }])
  })

  it('a typo under x-cutover itself is refused with a suggestion', () => {
    const errors = errorsOf(load('x-cutover:\n  role:\n    web: {strategy: recreate}'))
    expect(errors.map((e) => [e.keyPath, e.message])).toEqual([['x-cutover/role', 'is not a known key (did you mean `roles`?)']])
  })
})

describe('a volume two containers cannot share (SELinux private label Z)', () => {
  const z = 'volumes:\n  - /srv/data:/data:Z'
  it('is refused for blue-green (the default), naming the volume and both fixes', () => {
    const errors = errorsOf(load(z))
    expect(errors.map((e) => e.keyPath)).toEqual(['volumes/0', 'volumes/0'])
    expect(errors[0]!.message).toBe('mounts "/data" read-write, but its private SELinux label (`Z`) lets only one container use it, and the default blue-green strategy of role jobs runs the old and the new container together')
    expect(errors[1]!.expected).toContain('x-cutover: {roles: {web: {strategy: recreate}}}')
    expect(errors[1]!.line).toBe(14) // the `- /srv/data:/data:Z` line
  })
  it('is refused in a role option too', () => {
    const errors = errorsOf(loadFrom({ [D]: cfg('servers:\n  web:\n    hosts: [10.0.0.1]\n    options:\n      volume: /srv/x:/x:rw,Z\nx-cutover:\n  roles:\n    web: {strategy: blue-green}') }))
    expect(errors.map((e) => [e.keyPath, e.message.split(',')[0]])).toEqual([['servers/web/options/volume', 'mounts "/x" read-write']])
  })
  it.each([
    ['recreate for every role', `${z}\nx-cutover:\n  roles:\n    web: {strategy: recreate}\n    jobs: {strategy: recreate}`],
    ['the shared label z', 'volumes:\n  - /srv/data:/data:z'],
    ['read-only', 'volumes:\n  - /srv/data:/data:ro,Z'],
    ['no label', 'volumes:\n  - /srv/data:/data'],
  ])('is fine with %s', (_, extra) => {
    okOf(load(extra))
  })
})

describe('boot: limit and wait (Kamal)', () => {
  it.each([
    ['no boot: every host at once', '', { limit: null, wait: 0 }],
    ['a number', 'boot: {limit: 2, wait: 10}', { limit: 2, wait: 10 }],
    ['a percentage of all 3 hosts, rounded down', 'boot: {limit: 50%}', { limit: 1, wait: 0 }],
    ['67% of 3 hosts', 'boot: {limit: 67%}', { limit: 2, wait: 0 }],
    ['100%', 'boot: {limit: 100%}', { limit: 3, wait: 0 }],
    ['1% is still one host', 'boot: {limit: 1%}', { limit: 1, wait: 0 }],
    ['more than there are hosts', 'boot: {limit: 9}', { limit: 9, wait: 0 }],
  ])('%s', (_, extra, want) => {
    expect(okOf(load(extra)).config.boot).toEqual(want)
  })

  it.each([
    ['zero hosts', 'boot: {limit: 0}', 'boot/limit', 'is 0'],
    ['a fraction', 'boot: {limit: 1.5}', 'boot/limit', 'is 1.5'],
    ['0%', 'boot: {limit: 0%}', 'boot/limit', '"0%" is not a number of hosts or a percentage from 1% to 100%'],
    ['150%', 'boot: {limit: 150%}', 'boot/limit', '"150%" is not a number of hosts or a percentage from 1% to 100%'],
    ['text', 'boot: {limit: half}', 'boot/limit', '"half" is not a number of hosts or a percentage from 1% to 100%'],
    ['wait as a string', 'boot: {wait: 10s}', 'boot/wait', 'is the string "10s"'],
    ['an unknown key', 'boot: {limt: 2}', 'boot/limt', 'is not a known key (did you mean `limit`?)'],
  ])('%s is refused', (_, extra, keyPath, message) => {
    const errors = errorsOf(load(extra))
    expect(errors.map((e) => [e.keyPath, e.message, e.line])).toEqual([[keyPath, message, expect.any(Number)]])
  })
})
