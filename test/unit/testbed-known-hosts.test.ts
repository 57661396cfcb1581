import { describe, expect, it } from 'vitest'
import { mergeKnownHosts } from '../../test/testbed/up.js'

// known_hosts is shared by every checkout: an `up` for two hosts must keep vm3's lines when vm3 runs.
describe('testbed known_hosts merge', () => {
  const old = ['10.213.77.11 ssh-ed25519 OLD1', '10.213.77.12 ssh-ed25519 OLD2', '10.213.77.13 ssh-ed25519 KEY3', '192.0.2.9 ssh-ed25519 STRANGER', ''].join('\n')

  it.each([
    { name: 'an up for 2 hosts keeps vm3 and replaces vm1, vm2', ensured: ['10.213.77.11', '10.213.77.12'], lines: ['10.213.77.11 ssh-ed25519 NEW1', '10.213.77.12 ssh-ed25519 NEW2'],
      want: '10.213.77.11 ssh-ed25519 NEW1\n10.213.77.12 ssh-ed25519 NEW2\n10.213.77.13 ssh-ed25519 KEY3\n' },
    { name: 'an up for 3 hosts replaces all three', ensured: ['10.213.77.11', '10.213.77.12', '10.213.77.13'], lines: ['10.213.77.11 a A', '10.213.77.12 b B', '10.213.77.13 c C'],
      want: '10.213.77.11 a A\n10.213.77.12 b B\n10.213.77.13 c C\n' },
  ])('$name (lines of non-testbed addresses are dropped)', ({ ensured, lines, want }) => {
    expect(mergeKnownHosts(old, ensured, lines)).toBe(want)
  })

  it('starts from nothing', () => {
    expect(mergeKnownHosts('', ['10.213.77.11'], ['10.213.77.11 k K'])).toBe('10.213.77.11 k K\n')
  })
})
