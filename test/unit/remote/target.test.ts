import { describe, expect, it } from 'vitest'
import { parseTarget } from '../../../src/remote/target.js'

describe('parseTarget', () => {
  it.each([
    ['1.2.3.4', { host: '1.2.3.4' }],
    ['1.2.3.4:2222', { host: '1.2.3.4', port: 2222 }],
    ['root@1.2.3.4', { user: 'root', host: '1.2.3.4' }],
    ['deploy@bastion.example.com:2200', { user: 'deploy', host: 'bastion.example.com', port: 2200 }],
    ['[::1]:2222', { host: '::1', port: 2222 }],
    ['[fe80::1]', { host: 'fe80::1' }],
    ['fe80::1', { host: 'fe80::1' }],
    ['a@b@host', { user: 'a@b', host: 'host' }],
  ])('%s', (text, expected) => {
    expect(parseTarget(text)).toEqual(expected)
  })

  it.each([
    ['host:0', /port "0" is not a number from 1 to 65535/],
    ['host:70000', /port "70000"/],
    ['host:ssh', /port "ssh"/],
    ['@host', /the user before @ is empty/],
    ['root@', /no host name/],
    ['', /no host name/],
  ])('refuses %j', (text, message) => {
    expect(() => parseTarget(text, 'ssh.proxy')).toThrow(message)
  })

  it('names what it was reading', () => {
    expect(() => parseTarget('x:y', 'ssh.proxy')).toThrow(/^ssh\.proxy "x:y" is not \[user@\]host\[:port\]/)
  })
})
