import { describe, expect, it } from 'vitest'
import { cfg, errorsOf, loadFrom, okOf } from '../config/helpers.js'

const D = 'config/deploy.yml'

describe('hooks_path and hooks_output in config/deploy.yml', () => {
  it.each([
    ['', { path: '.kamal/hooks' }],
    ['hooks_path: ops/hooks', { path: 'ops/hooks' }],
    ['hooks_output: verbose', { path: '.kamal/hooks', output: 'verbose' }],
    // Kamal's docs write symbols; YAML here reads `:quiet` as text.
    ['hooks_output: :quiet', { path: '.kamal/hooks', output: 'quiet' }],
    ['hooks_output:\n  pre-deploy: :verbose\n  pre-build: quiet', { path: '.kamal/hooks', output: { 'pre-deploy': 'verbose', 'pre-build': 'quiet' } }],
  ])('%j', (extra, hooks) => {
    const r = okOf(loadFrom({ [D]: cfg(extra) }))
    expect(r.config.hooks).toEqual(hooks)
    expect(r.warnings.filter((w) => w.keyPath.startsWith('hooks'))).toEqual([])
  })

  it.each([
    ['hooks_output: loud', 'hooks_output', 'is "loud"'],
    ['hooks_output:\n  pre-deploy: chatty', 'hooks_output/pre-deploy', 'is "chatty"'],
    ['hooks_output: [verbose]', 'hooks_output', 'is a list'],
    ['hooks_path: [a]', 'hooks_path', 'is a list'],
  ])('%j is refused at its key path', (extra, keyPath, message) => {
    const [e, ...more] = errorsOf(loadFrom({ [D]: cfg(extra) }))
    expect(more).toEqual([])
    expect(e).toMatchObject({ file: D, keyPath, message })
  })
})
