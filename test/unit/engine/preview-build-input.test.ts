import { describe, expect, it } from 'vitest'
import { previewConfig } from '../../../src/engine/preview.js'
import type { Session } from '../../../src/engine/session.js'
import { buildInput } from '../../../src/engine/ship.js'
import { cfg, loadFrom, okOf } from '../config/helpers.js'

// Issue 14, fix 3: a preview build pushed `<image>:latest` from the PR head, replacing production's.
const loaded = () => okOf(loadFrom({ 'config/deploy.yml': cfg('x-cutover:\n  preview:\n    host: pr-{number}.preview.example.com') }, { env: { KAMAL_REGISTRY_PASSWORD: 'x' } }))
const sessionOf = (config: ReturnType<typeof loaded>['config'], secrets: ReturnType<typeof loaded>['secrets']) =>
  ({ options: { config, secrets }, registryInput: () => ({ server: 'registry.test', username: 'u', password: 'p' }) }) as unknown as Session

describe('buildInput: whether the build moves :latest', () => {
  it('production pushes latest (pushLatest left to its default); a preview never does', () => {
    const { config, secrets } = loaded()
    expect(buildInput(sessionOf(config, secrets)).pushLatest).toBeUndefined()
    expect(buildInput(sessionOf(previewConfig(config, 7), secrets)).pushLatest).toBe(false)
  })
})
