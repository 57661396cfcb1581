import { describe, expect, it } from 'vitest'
import { InputError, readInputs } from '../../../src/action/inputs.js'

const valid = { 'known-hosts': 'vm1 ssh-ed25519 AAAAC3Nza', 'github-token': 'ghs_tok' }
const read = (given: Record<string, string>) => {
  try {
    return { inputs: readInputs({ get: (n) => ({ ...valid, ...given } as Record<string, string>)[n] ?? '', setSecret: () => undefined }), error: null }
  } catch (e) {
    return { inputs: null, error: e as InputError }
  }
}

describe('the Action: command exec', () => {
  it('splits `exec` into words, without a shell', () => {
    expect(read({ command: 'exec', exec: 'bin/rails db:migrate VERBOSE="1 2"' }).inputs?.exec).toEqual(['bin/rails', 'db:migrate', 'VERBOSE=1 2'])
  })

  it.each([
    [{ command: 'exec' }, /Input `exec` is needed for `command: exec`: give the command to run/],
    [{ command: 'exec', exec: 'a && b' }, /Input `exec` \("a && b"\) is needed for `command: exec`: .*uses shell syntax \(&&\)/],
    [{ command: 'deploy', exec: 'ls' }, /Input `exec` is only read by `command: exec`/],
  ])('%j is refused', (given, message) => {
    const { error } = read(given)
    expect(error).toBeInstanceOf(InputError)
    expect(error!.message).toMatch(message)
  })
})
