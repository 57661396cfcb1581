import { describe, expect, it } from 'vitest'
import { destinationFile } from '../../../src/config/index.js'
import { closest } from '../../../src/config/suggest.js'
import { deepMerge, locate, mergeSources, parseYamlConfig } from '../../../src/config/yaml.js'

describe('destinationFile (Kamal’s sub_ext)', () => {
  it.each([
    ['config/deploy.yml', 'staging', 'config/deploy.staging.yml'],
    ['deploy.yaml', 'prod', 'deploy.prod.yaml'],
    ['a.b/deploy', 'qa', 'a.b/deploy.qa.yml'],
  ])('%s + %s → %s', (file, dest, expected) => {
    expect(destinationFile(file, dest)).toBe(expected)
  })
})

describe('closest', () => {
  const keys = ['app_port', 'host', 'hosts', 'healthcheck', 'ssl_redirect']
  it.each([
    ['appPort', 'app_port'],
    ['app-port', 'app_port'],
    ['port_app', 'app_port'],
    ['hots', 'host'],
    ['helthcheck', 'healthcheck'],
    ['ssl-redirect', 'ssl_redirect'],
    ['zzz', undefined],
    ['x', undefined],
  ])('%s → %s', (key, expected) => {
    expect(closest(key, keys)).toBe(expected)
  })
})

describe('deepMerge and mergeSources (destination over base)', () => {
  it('merges maps and replaces lists and scalars', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: { e: 2 } })).toEqual({ a: { b: 1, c: [3] }, d: { e: 2 } })
  })

  it('a replaced list takes its lines from the later file only', () => {
    const base = new Map([
      ['servers', { file: 'base', line: 3, replaces: true }],
      ['servers/0', { file: 'base', line: 4, replaces: true }],
      ['servers/1', { file: 'base', line: 5, replaces: true }],
    ])
    const over = new Map([
      ['servers', { file: 'dest', line: 1, replaces: true }],
      ['servers/0', { file: 'dest', line: 2, replaces: true }],
    ])
    const merged = mergeSources(base, over)
    expect(locate(merged, 'servers/0', 'base')).toEqual({ file: 'dest', line: 2 })
    expect(locate(merged, 'servers/1', 'base')).toEqual({ file: 'dest', line: 1 })
    expect(locate(merged, 'nothing/here', 'base')).toEqual({ file: 'base' })
  })
})

describe('parseYamlConfig reads plain scalars as Psych (Kamal) does', () => {
  it.each([
    ['context: .', '.'],
    ['v: y', 'y'],
    ['v: n', 'n'],
    ['v: yes', true],
    ['v: Off', false],
    ['v: 40_000_000', 40_000_000],
    ['v: 1.5', 1.5],
    ['v: "3000"', '3000'],
    ['%YAML 1.2\n---\nv: yes', 'yes'],
    ['%YAML 1.2\n---\nv: false', false],
  ])('%j', (src, expected) => {
    const r = parseYamlConfig('f.yml', src)
    expect(r.ok && Object.values(r.value.data)[0]).toBe(expected)
  })
})
