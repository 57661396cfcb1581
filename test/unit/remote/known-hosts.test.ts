import { describe, expect, it } from 'vitest'
import { fingerprint, hostKeyAlgorithms, judgeHostKey, keyTypeOf, knownHostsLine, parseKnownHosts, patternsMatch, pinsFor } from '../../../src/remote/known-hosts.js'

// A key made with ssh-keygen; its fingerprint and the hashed lines below are ssh-keygen's own
// output (`ssh-keygen -lf`, `ssh-keygen -H`), so these tests check us against OpenSSH.
const b64 = 'AAAAC3NzaC1lZDI1NTE5AAAAILe22jDJ89nRp7g4+gRZp5xYq68qZF6lGolJzdk0/j2k'
const key = Buffer.from(b64, 'base64')
const opensshFingerprint = 'SHA256:9SC0Qo28rBSiVGsdDGk56sedKbuCRwVOng9kRBzNu78'
const hashedExample2222 = '|1|rvIWR6SKMHlEDhQ/rfxtT+qbsNc=|5YcHscb1g8qLZkmq5wrCisXqqaE='
const hashedDbInternal = '|1|/baBfMk5urSO9p2/pCPOopjWDyE=|rUzWNrY3ycWrlfXwiAJqXafWYDg='
const otherKey = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIDoi+fwEGbSLUmVpqDbepRt4WgDfm/9H/9QSCDrMe7hm', 'base64')

describe('fingerprint', () => {
  it('matches ssh-keygen -lf', () => {
    expect(fingerprint(key)).toBe(opensshFingerprint)
  })
  it('reads the key type from the blob', () => {
    expect(keyTypeOf(key)).toBe('ssh-ed25519')
    expect(keyTypeOf(Buffer.from('zz'))).toBe('unknown')
  })
})

describe('patternsMatch', () => {
  it.each([
    ['10.0.0.5', '10.0.0.5', 22, true],
    ['10.0.0.5', '10.0.0.5', 2222, false],
    ['[10.0.0.5]:2222', '10.0.0.5', 2222, true],
    ['[10.0.0.5]:2222', '10.0.0.5', 22, false],
    ['web1,10.0.0.5,web2', '10.0.0.5', 22, true],
    ['web1,web2', '10.0.0.5', 22, false],
    ['*.example.com', 'a.example.com', 22, true],
    ['*.example.com', 'example.com', 22, false],
    ['10.0.0.?', '10.0.0.7', 22, true],
    ['*.example.com,!bad.example.com', 'bad.example.com', 22, false],
    ['Web1', 'web1', 22, true],
    ['a.b', 'axb', 22, false],
    [hashedExample2222, 'example.com', 2222, true],
    [hashedExample2222, 'example.com', 22, false],
    [hashedDbInternal, 'db.internal', 22, true],
    [hashedDbInternal, 'db.internal2', 22, false],
    ['|2|abc|def', 'db.internal', 22, false],
  ])('%s matches %s:%d → %s', (patterns, host, port, expected) => {
    expect(patternsMatch(patterns, host, port)).toBe(expected)
  })
})

describe('parseKnownHosts and pins', () => {
  const text = [
    '# comment',
    '',
    `10.0.0.5 ssh-ed25519 ${b64} a comment`,
    `[10.0.0.5]:2222,web ecdsa-sha2-nistp256 ${otherKey.toString('base64')}`,
    `@revoked 10.0.0.9 ssh-ed25519 ${b64}`,
    `@cert-authority *.example.com ssh-ed25519 ${b64}`,
    '10.0.0.6 ssh-ed25519 not*base64',
    `10.0.0.7 sk-ssh-ed25519@openssh.com ${b64}`,
    'truncated-line ssh-rsa',
  ].join('\n')
  const known = parseKnownHosts(text, 'kh')

  it('keeps readable lines with their line numbers and markers', () => {
    expect(known.entries.map((e) => [e.line, e.marker ?? '', e.patterns, e.keyType])).toEqual([
      [3, '', '10.0.0.5', 'ssh-ed25519'],
      [4, '', '[10.0.0.5]:2222,web', 'ecdsa-sha2-nistp256'],
      [5, 'revoked', '10.0.0.9', 'ssh-ed25519'],
      [6, 'cert-authority', '*.example.com', 'ssh-ed25519'],
      [8, '', '10.0.0.7', 'sk-ssh-ed25519@openssh.com'],
    ])
  })

  it('pins per host and port, ignoring CA lines and key types ssh2 cannot check', () => {
    expect(pinsFor(known, '10.0.0.5', 22).keys.map((e) => e.line)).toEqual([3])
    expect(pinsFor(known, '10.0.0.5', 2222).keys.map((e) => e.line)).toEqual([4])
    expect(pinsFor(known, 'web', 22).keys.map((e) => e.line)).toEqual([4])
    expect(pinsFor(known, 'a.example.com', 22).keys).toEqual([])
    expect(pinsFor(known, '10.0.0.7', 22).keys).toEqual([])
  })

  it('restricts host key algorithms to the pinned key types', () => {
    expect(hostKeyAlgorithms(pinsFor(known, '10.0.0.5', 22))).toEqual(['ssh-ed25519'])
    expect(hostKeyAlgorithms(pinsFor(parseKnownHosts(`h ssh-rsa ${b64}\nh ssh-ed25519 ${b64}`, 'kh'), 'h', 22))).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519'])
    expect(hostKeyAlgorithms(pinsFor(known, 'nobody', 22))).toEqual([])
  })

  it.each([
    ['10.0.0.5', 22, key, 'trusted'],
    ['10.0.0.5', 22, otherKey, 'changed'],
    ['10.0.0.5', 2222, otherKey, 'trusted'],
    ['10.0.0.8', 22, key, 'unknown'],
    ['10.0.0.9', 22, key, 'revoked'],
  ] as const)('judges %s:%d → %s', (host, port, presented, verdict) => {
    expect(judgeHostKey(pinsFor(known, host, port), presented).kind).toBe(verdict)
  })
})

describe('knownHostsLine', () => {
  it('writes host, [host]:port, type and key', () => {
    expect(knownHostsLine('10.0.0.5', 22, key)).toBe(`10.0.0.5 ssh-ed25519 ${b64}`)
    expect(knownHostsLine('10.0.0.5', 2222, key)).toBe(`[10.0.0.5]:2222 ssh-ed25519 ${b64}`)
    const back = parseKnownHosts(knownHostsLine('10.0.0.5', 2222, key), 'kh')
    expect(judgeHostKey(pinsFor(back, '10.0.0.5', 2222), key).kind).toBe('trusted')
  })
})
