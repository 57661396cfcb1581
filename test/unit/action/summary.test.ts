import { describe, expect, it } from 'vitest'
import { duration, renderSummary } from '../../../src/action/summary.js'

const outcome = {
  service: 'shop',
  url: 'https://shop.example.test',
  retained: [],
  result: {
    version: 'v2',
    image: 'r/shop:v2',
    changed: true,
    hosts: [
      { host: 'vm1', role: 'web', action: 'replaced' as const, container: 'shop-web-v2', durationMs: 2345 },
      { host: 'vm|2', role: 'web', action: 'failed' as const, container: 'shop-web-v2', durationMs: 30_000, error: 'never healthy\n```\nlog | tail' },
    ],
  },
}

describe('renderSummary', () => {
  it('escapes table cells and fences log tails that contain backticks', () => {
    const md = renderSummary({ command: 'deploy', environment: 'production', ok: false, sha: 'a'.repeat(40), outcome })
    expect(md).toContain('### ❌ cutover deploy to `production`: failed')
    expect(md).toContain('| vm\\|2 | web | **failed** | `shop-web-v2` | 30.0 s |')
    expect(md).toContain('````text\nnever healthy\n```\nlog | tail\n````')
  })

  it('a removal shows no URL and no commit-less version', () => {
    const md = renderSummary({ command: 'preview-remove', environment: 'pr-3', ok: true, sha: 'b'.repeat(40), outcome: { ...outcome, result: { version: '', image: '', changed: false, hosts: [] } } })
    expect(md).toContain('⏸️ cutover preview removal to `pr-3`: nothing to change')
    expect(md).toContain('**Commit:** `bbbbbbbbbbbb`')
    expect(md).not.toContain('URL')
  })

  it.each([[999, '999 ms'], [2345, '2.3 s'], [61_000, '1 min 1 s']])('duration(%d) = %s', (ms, text) => {
    expect(duration(ms)).toBe(text)
  })
})
