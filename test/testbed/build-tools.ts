import { chmodSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { buildOnce } from './artifacts.js'
import { checkGo } from './deps.js'
import { buildGoModule } from './go-module.js'
import { buildkitVersion, buildxVersion, cacheDir, minGoBuildkit } from './layout.js'
import { progress, tryRun } from './sh.js'

export interface BuildTools {
  /** The buildx binary (installed as a docker CLI plugin by buildx-config.ts). */
  buildx: string
  /** The BuildKit daemon (run in a testbed container by buildkitd.ts). */
  buildkitd: string
}

interface Tool {
  name: string
  module: string
  version: string
  pkg: string
  /** Where the module keeps its version string, stamped at link time as its release does. */
  versionVar: string
  /** Prints the version: the check that a cached binary is the release we want. */
  versionArgs: string[]
}

const tools = {
  buildkitd: { name: 'buildkitd', module: 'github.com/moby/buildkit', version: buildkitVersion, pkg: './cmd/buildkitd', versionVar: 'github.com/moby/buildkit/version.Version', versionArgs: ['--version'] },
  buildx: { name: 'buildx', module: 'github.com/docker/buildx', version: buildxVersion, pkg: './cmd/buildx', versionVar: 'github.com/docker/buildx/version.Version', versionArgs: ['version'] },
} satisfies Record<string, Tool>

/** True when `bin` runs and names `tool`'s module and version (e.g. "github.com/moby/buildkit v0.33.1"). */
async function isRelease(bin: string, tool: Tool): Promise<boolean> {
  const r = await tryRun([bin, ...tool.versionArgs], { timeoutMs: 30_000 })
  return r.code === 0 && r.stdout.includes(`${tool.module} ${tool.version}`)
}

/** `cacheDir/bin/<name>-<version>`, built from its Go module unless a cached binary is that release. */
async function ensureTool(tool: Tool): Promise<string> {
  const bin = join(cacheDir, 'bin', `${tool.name}-${tool.version}`)
  if (await isRelease(bin, tool)) return bin
  rmSync(bin, { force: true })
  await checkGo(tool.name, minGoBuildkit)
  progress(`building ${tool.name} ${tool.version} from its Go module`)
  await buildOnce(bin, (tmp) => buildGoModule({ module: tool.module, version: tool.version, packages: [{ pkg: tool.pkg, out: tmp }], ldflags: `-X ${tool.versionVar}=${tool.version}` }))
  chmodSync(bin, 0o755)
  if (!(await isRelease(bin, tool))) throw new Error(`testbed: the freshly built ${bin} does not report ${tool.module} ${tool.version}`)
  return bin
}

/**
 * buildx and buildkitd, each built once and cached under cacheDir/bin. One after the other:
 * buildx imports much of buildkit, so the second build reuses the first one's compiled packages
 * from Go's build cache (and two 2-core compiles at once would only share the cores).
 */
export async function ensureBuildTools(): Promise<BuildTools> {
  const buildkitd = await ensureTool(tools.buildkitd)
  const buildx = await ensureTool(tools.buildx)
  return { buildx, buildkitd }
}
