import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadKeys, parsePrivateKey } from '../../../src/remote/keys.js'

// Keys are made by ssh-keygen (openssh-client) for each run; none is kept in the repository.
let dir = ''
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keys-test-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'plain', '-f', join(dir, 'plain')])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret passphrase', '-f', join(dir, 'locked')])
})

describe('loadKeys', () => {
  it('reads files and key data into memory, labelled with the key fingerprint', () => {
    const fp = execFileSync('ssh-keygen', ['-lf', join(dir, 'plain.pub')], { encoding: 'utf8' }).split(' ')[1]
    const keys = loadKeys({ paths: [join(dir, 'plain')], data: [readFileSync(join(dir, 'plain'), 'utf8')] })
    expect(keys.map((k) => k.label)).toEqual([`${join(dir, 'plain')} (ssh-ed25519 ${fp})`, `ssh.key_data[0] (ssh-ed25519 ${fp})`])
    expect(keys.every((k) => k.key.isPrivateKey())).toBe(true)
  })

  it.each([
    [() => loadKeys({}), /^no SSH key given: set ssh.keys or ssh.key_data in config\/deploy.yml, or pass --ssh-key FILE$/],
    [() => loadKeys({ paths: ['/nonexistent/id'] }), /^SSH key \/nonexistent\/id: cannot read it \(ENOENT\)/],
    [() => loadKeys({ paths: [join(dir, 'locked')] }), /locked: it is protected by a passphrase, and cutover cannot ask for one/],
    [() => loadKeys({ paths: [join(dir, 'plain.pub')] }), /plain\.pub: this is a public key; give the private key/],
    [() => parsePrivateKey('ssh.key_data[0]', 'not a key'), /^SSH key ssh.key_data\[0\]: it is not a private key ssh2 can read/],
  ])('refuses clearly (%#)', (load, message) => {
    expect(load).toThrow(message)
  })

  it('never puts key material in an error', () => {
    const data = readFileSync(join(dir, 'plain'), 'utf8').replace('OPENSSH PRIVATE KEY-----\n', 'OPENSSH PRIVATE KEY-----\nXX')
    const err = (() => {
      try {
        parsePrivateKey('ssh.key_data[0]', data)
      } catch (e) {
        return (e as Error).message
      }
    })()
    expect(err).toMatch(/^SSH key ssh\.key_data\[0\]:/)
    expect(err).not.toContain(data.split('\n')[2]!)
  })
})
