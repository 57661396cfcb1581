import { describe, expect, it } from 'vitest'
import { defaultCacheDir } from '../../../src/image/cache-dir.js'

describe('defaultCacheDir', () => {
  it.each([
    [{ CUTOVER_CACHE_DIR: '/x' }, '/x'],
    [{ GITHUB_ACTIONS: 'true', RUNNER_TEMP: '/home/runner/work/_temp' }, '/home/runner/work/_temp/cutover'],
    [{ GITHUB_ACTIONS: 'true' }, '/home/u/.cache/cutover'],
    [{ XDG_CACHE_HOME: '/xdg' }, '/xdg/cutover'],
    [{}, '/home/u/.cache/cutover'],
  ])('%j → %s', (env, expected) => {
    expect(defaultCacheDir(env, '/home/u')).toBe(expected)
  })
})
