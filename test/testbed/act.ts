import { chmodSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { buildOnce } from './artifacts.js'
import { checkGo } from './deps.js'
import { buildGoModule } from './go-module.js'
import { cacheDir } from './layout.js'
import { progress, tryRun } from './sh.js'

/**
 * nektos/act, a real GitHub Actions workflow engine, for the act tier (test/e2e/act-workflows):
 * built from its Go module like kamal-proxy and buildx, cached under cacheDir/bin. v0.2.89 knows
 * `using: node24`, local reusable workflows and `--local-repository`.
 */
export const actVersion = 'v0.2.89'
export const actModule = 'github.com/nektos/act'
/** The `go` line of act v0.2.89's go.mod. */
const ACT_MIN_GO = [1, 25, 0] as const
export const actBinary = (): string => join(cacheDir, 'bin', `act-${actVersion}`)

/** `act --version` prints "act version v0.2.89" when main.version is stamped as its release does. */
async function isRelease(bin: string): Promise<boolean> {
  const r = await tryRun([bin, '--version'], { timeoutMs: 30_000 })
  return r.code === 0 && r.stdout.trim() === `act version ${actVersion}`
}

/** The act binary, built once (about five minutes on two cores with nothing cached). */
export async function ensureAct(): Promise<string> {
  const bin = actBinary()
  if (await isRelease(bin)) return bin
  rmSync(bin, { force: true })
  await checkGo('act (the workflow engine of the act tier)', ACT_MIN_GO)
  progress(`building act ${actVersion} from its Go module`)
  await buildOnce(bin, (tmp) => buildGoModule({ module: actModule, version: actVersion, packages: [{ pkg: '.', out: tmp }], ldflags: `-X main.version=${actVersion}` }))
  chmodSync(bin, 0o755)
  if (!(await isRelease(bin))) throw new Error(`testbed: the freshly built ${bin} does not report act version ${actVersion}`)
  return bin
}
