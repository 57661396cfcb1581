import { describe, expect, it } from 'vitest'
import { renderResultTable } from '../../../src/cli/result-table.js'
import type { DeployResult } from '../../../src/engine/result.js'

const host = (n: number, action: 'replaced' | 'unchanged' | 'failed', role = 'web') => ({ host: `vm${n}`, role, action, container: `app-${role}-v2`, durationMs: 1200 + n })

describe('the result table at the end of a run', () => {
  it('a fleet of 10: one row per host, aligned, and the rows counted on the last line', () => {
    const result: DeployResult = { version: 'v2', image: 'r/app:v2', changed: true, hosts: [...Array.from({ length: 9 }, (_, i) => host(i + 1, 'replaced')), host(10, 'failed')] }
    const lines = renderResultTable(result).trimEnd().split('\n')
    expect(lines).toHaveLength(12)
    expect(lines[0]).toBe('HOST  ROLE  ACTION    CONTAINER   TIME')
    expect(lines[1]).toBe('vm1   web   replaced  app-web-v2  1.2s')
    expect(lines[10]).toBe('vm10  web   failed    app-web-v2  1.2s')
    expect(lines[11]).toBe('r/app:v2: changed; 10 hosts: 9 replaced, 1 failed')
  })

  it('host roles are counted as rows; one host says nothing more', () => {
    const two: DeployResult = { version: 'v2', image: 'r/app:v2', changed: false, hosts: [host(1, 'unchanged'), host(1, 'unchanged', 'jobs'), host(2, 'unchanged')] }
    expect(renderResultTable(two).trimEnd().split('\n').pop()).toBe('r/app:v2: unchanged, nothing to do; 2 hosts (3 host roles): 3 unchanged')
    const one: DeployResult = { version: 'v2', image: 'r/app:v2', changed: true, hosts: [host(1, 'replaced')] }
    expect(renderResultTable(one).trimEnd().split('\n').pop()).toBe('r/app:v2: changed')
  })
})
