import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProxyList, ProxyListError, splitTarget } from '../../../src/argv/proxy-list.js'
import { kamalProxyTable } from '../helpers/proxy-table.js'

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/kamal-proxy-0.9.2-list-${name}.txt`, import.meta.url), 'utf8')

describe('parseProxyList on real kamal-proxy v0.9.2 output', () => {
  it('reads an empty list', () => {
    expect(parseProxyList(fixture('empty'))).toEqual([])
  })

  it('reads wildcard and multiple hosts, path prefixes, stopped state and TLS', () => {
    expect(parseProxyList(fixture('routes'))).toEqual([
      { service: 'app-tls', hosts: ['c.test'], pathPrefixes: ['/'], targets: ['localhost:19001'], state: 'running', tls: true },
      { service: 'app-web', hosts: [], pathPrefixes: ['/'], targets: ['127.0.0.1:19001'], state: 'running', tls: false },
      { service: 'app-web-staging', hosts: ['a.test', 'b.test'], pathPrefixes: ['/api', '/admin'], targets: ['localhost:19001'], state: 'stopped', tls: false },
    ])
  })

  it('the table helper the other tests use prints exactly what kamal-proxy prints', () => {
    expect(kamalProxyTable([
      ['app-tls', 'c.test', '/', 'localhost:19001', 'running', 'yes'],
      ['app-web', '*', '/', '127.0.0.1:19001', 'running', 'no'],
      ['app-web-staging', 'a.test,b.test', '/api,/admin', 'localhost:19001', 'stopped', 'no'],
    ])).toBe(fixture('routes'))
    expect(kamalProxyTable([])).toBe(fixture('empty'))
  })
})

describe('parseProxyList', () => {
  it('reads an empty proxy (header only)', () => {
    expect(parseProxyList(kamalProxyTable([]))).toEqual([])
  })

  it('reads rows: wildcard host, several hosts, paths and targets, TLS', () => {
    const out = kamalProxyTable([
      ['app-web', '*', '/', 'cutover-0123456789abcdef01234567:80', 'running', 'no'],
      ['app-web-staging', 'a.test,b.test', '/api,/admin', '0a1b2c3d4e5f:3000,cutover-x:3000', 'paused', 'yes'],
    ])
    expect(parseProxyList(out)).toEqual([
      { service: 'app-web', hosts: [], pathPrefixes: ['/'], targets: ['cutover-0123456789abcdef01234567:80'], state: 'running', tls: false },
      { service: 'app-web-staging', hosts: ['a.test', 'b.test'], pathPrefixes: ['/api', '/admin'], targets: ['0a1b2c3d4e5f:3000', 'cutover-x:3000'], state: 'paused', tls: true },
    ])
  })

  it('reads the same table without ANSI styles', () => {
    const plain = kamalProxyTable([['app-web', '*', '/', 'x:80', 'running', 'no']]).replace(/\x1b\[[0-9;]*m/g, '')
    expect(parseProxyList(plain)).toHaveLength(1)
  })

  it.each([
    ['', /expected a header row/],
    ['Error: dial unix /tmp/kamal-proxy.sock: connect: no such file or directory\n', /expected a header row/],
    [kamalProxyTable([['app-web', '*', '/', 'x:80', 'running']]), /row 1 has 5 columns/],
    [`${kamalProxyTable([])}garbage\n`, /row 1 has 1 columns/],
  ])('refuses %j', (out, message) => {
    expect(() => parseProxyList(out)).toThrow(ProxyListError)
    expect(() => parseProxyList(out)).toThrow(message)
  })
})

describe('splitTarget', () => {
  it.each([
    ['cutover-abc:80', { host: 'cutover-abc', port: 80 }],
    ['0a1b2c3d4e5f:3000', { host: '0a1b2c3d4e5f', port: 3000 }],
    ['web', { host: 'web', port: 80 }],
  ])('%s', (target, expected) => {
    expect(splitTarget(target)).toEqual(expected)
  })
})
