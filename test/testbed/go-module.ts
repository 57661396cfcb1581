import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { progress, run } from './sh.js'

export interface GoModuleBuild {
  /** e.g. "github.com/moby/buildkit" */
  module: string
  version: string
  /** Package directories inside the module, e.g. "./cmd/buildkitd", each with its output file. */
  packages: { pkg: string; out: string }[]
  /** e.g. "-X github.com/moby/buildkit/version.Version=v0.33.1" (stamps `--version`). */
  ldflags?: string
}

const goEnv = { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' }

/**
 * Builds packages of a Go module as if it were the main module: `go mod download` of that one
 * version, a writable copy of it, then `go build` inside the copy. Two things make this
 * necessary instead of `go install pkg@version`:
 * - `go install pkg@version` rejects a module whose go.mod has `exclude` or `replace`
 *   directives (buildkit's has);
 * - it first asks the proxy for the module's version list, which some proxies refuse (403).
 * The copy's own go.mod and go.sum pin every dependency, so the result is the release's.
 */
export async function buildGoModule(build: GoModuleBuild): Promise<void> {
  const env = { ...process.env, ...goEnv }
  const id = `${build.module}@${build.version}`
  const fix = 'see the Go error above; the Go module proxy must be reachable'
  const info = JSON.parse(await run(`downloading the Go module ${id}`, ['go', 'mod', 'download', '-json', id], { env, cwd: tmpdir(), timeoutMs: 600_000, fix })) as { Dir?: string }
  if (!info.Dir) throw new Error(`testbed: \`go mod download -json ${id}\` named no directory`)
  const src = mkdtempSync(join(tmpdir(), 'go-module-src-'))
  try {
    await run(`copying ${id}`, ['cp', '-r', `${info.Dir}/.`, src])
    await run(`making the copy of ${id} writable`, ['chmod', '-R', 'u+w', src])
    for (const { pkg, out } of build.packages) {
      const started = Date.now()
      progress(`compiling ${pkg} of ${id} (about two minutes on two cores when nothing is cached)`)
      await run(`building ${pkg} of ${id}`, ['go', 'build', '-trimpath', '-ldflags', `-s -w ${build.ldflags ?? ''}`.trim(), '-o', out, pkg], {
        env,
        cwd: src,
        timeoutMs: 1_500_000,
        fix,
      })
      progress(`compiled ${pkg} of ${id} in ${((Date.now() - started) / 1000).toFixed(0)}s`)
    }
  } finally {
    rmSync(src, { recursive: true, force: true })
  }
}
