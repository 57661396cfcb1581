import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkGo } from '../../test/testbed/deps.js'
import { minGoBuildkit } from '../../test/testbed/layout.js'

// The testbed builds kamal-proxy with Go; a missing or old Go must stop `up` with a clear fix.
const savedPath = process.env.PATH
afterEach(() => {
  process.env.PATH = savedPath
})

/** A PATH whose only `go` prints `version`. */
function fakeGo(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-go-'))
  writeFileSync(join(dir, 'go'), `#!/bin/sh\necho "go version ${version} linux/amd64"\n`)
  chmodSync(join(dir, 'go'), 0o755)
  return dir
}

describe('checkGo', () => {
  it('says Go is missing, and what to install', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'no-go-'))
    await expect(checkGo()).rejects.toThrow(/^testbed: building kamal-proxy failed: Go is not installed \(no `go` on PATH\)\n {2}fix: install Go 1\.25\.5 or newer/)
  })

  it.each(['go1.24.9', 'go1.25.4', 'go1.25'])('refuses %s as too old', async (v) => {
    process.env.PATH = fakeGo(v)
    await expect(checkGo()).rejects.toThrow(/Go 1\.\d+\.\d+ is too old/)
  })

  it.each([['go1.25.5', '1.25.5'], ['go1.26.0', '1.26.0'], ['go2.0', '2.0.0']])('accepts %s', async (v, seen) => {
    process.env.PATH = fakeGo(v)
    await expect(checkGo()).resolves.toBe(seen)
  })

  it('names the tool and its own minimum (buildx and buildkitd need Go 1.26.8)', async () => {
    process.env.PATH = fakeGo('go1.26.7')
    await expect(checkGo('buildkitd', minGoBuildkit)).rejects.toThrow(/^testbed: building buildkitd failed: Go 1\.26\.7 is too old \(go version go1\.26\.7 linux\/amd64\)\n {2}fix: install Go 1\.26\.8 or newer .*because buildkitd cannot be pulled here$/)
    process.env.PATH = fakeGo('go1.26.8')
    await expect(checkGo('buildkitd', minGoBuildkit)).resolves.toBe('1.26.8')
  })
})
