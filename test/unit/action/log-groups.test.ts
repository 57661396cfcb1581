import { describe, expect, it } from 'vitest'
import { GroupedLog } from '../../../src/action/log-groups.js'
import { logGroups } from '../../support/action/log-lines.js'

function sink() {
  const lines: string[] = []
  return {
    lines,
    sink: {
      info: (l: string) => lines.push(l),
      warning: (l: string) => lines.push(`::warning::${l}`),
      debug: (l: string) => lines.push(`::debug::${l}`),
      startGroup: (n: string) => lines.push(`::group::${n}`),
      endGroup: () => lines.push('::endgroup::'),
    },
  }
}

describe('GroupedLog', () => {
  it('overlapping phases come out as whole groups, each in its own order, never interleaved', () => {
    const { lines, sink: s } = sink()
    const log = new GroupedLog(s)
    const gate = log.phase('gate')
    const build = log.phase('build')
    const vm1 = log.phase('host vm1')
    const vm2 = log.phase('host vm2')
    gate.info('waiting')
    build.info('step 1')
    vm2.child('vm2:').info('pulling')
    vm1.child('vm1:').info('pulling')
    build.warn('cache miss')
    vm2.child('vm2:').error('never healthy\nlog tail line')
    vm2.end()
    build.info('step 2')
    build.end()
    gate.info('green')
    gate.end()
    vm1.child('vm1:').info('switched')
    vm1.end()

    expect(logGroups(lines)).toEqual([
      { name: 'gate', lines: ['waiting', 'green'] },
      { name: 'build', lines: ['step 1', '::warning::cache miss', 'step 2'] },
      { name: 'host vm1', lines: ['vm1: pulling', 'vm1: switched'] },
      { name: 'host vm2', lines: ['vm2: pulling', 'Error: vm2: never healthy', 'Error: vm2: log tail line'] },
    ])
  })

  it('the live phase streams at once; the others wait for their turn', () => {
    const { lines, sink: s } = sink()
    const log = new GroupedLog(s)
    const a = log.phase('a')
    const b = log.phase('b')
    a.info('a1')
    b.info('b1')
    expect(lines).toEqual(['::group::a', 'a1'])
    a.end()
    expect(lines).toEqual(['::group::a', 'a1', '::endgroup::', '::group::b', 'b1'])
    b.info('b2')
    expect(lines.at(-1)).toBe('b2')
  })

  it('flush prints phases that never ended (a cancelled run), so no line is lost', () => {
    const { lines, sink: s } = sink()
    const log = new GroupedLog(s)
    log.phase('a').info('a1')
    log.phase('b').info('b1')
    log.flush()
    expect(logGroups(lines)).toEqual([
      { name: 'a', lines: ['a1'] },
      { name: 'b', lines: ['b1'] },
    ])
  })

  it('ending twice is harmless; lines after the end are dropped', () => {
    const { lines, sink: s } = sink()
    const log = new GroupedLog(s)
    const a = log.phase('a')
    a.end()
    a.end()
    a.info('late')
    log.log.info('outside')
    expect(lines).toEqual(['::group::a', '::endgroup::', 'outside'])
  })
})
