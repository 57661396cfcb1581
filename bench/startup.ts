import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkoutDir } from '../test/testbed/layout.js'
import type { Samples } from './stats.js'

const dist = join(checkoutDir, 'dist')

/** Every file of dist/ with its size in bytes (the bundles the Action and the CLI load). */
export function bundleSizes(): { file: string; bytes: number }[] {
  const out: { file: string; bytes: number }[] = []
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path, `${rel}${name}/`)
      else if (/\.(c?js|mjs)$/.test(name)) out.push({ file: `dist/${rel}${name}`, bytes: statSync(path).size })
    }
  }
  walk(dist, '')
  return out
}

/**
 * Milliseconds from spawning `node ARGS` to its first byte of output: for the Action, its first
 * log line. Run without inputs, the Action's first line is its input check failing (`::error::…`),
 * which comes after the whole bundle loaded, as a real run's first line does.
 */
export function firstLine(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let seen = false
    const first = () => {
      if (seen) return
      seen = true
      resolve(performance.now() - started)
    }
    child.stdout.once('data', first)
    child.stderr.once('data', first)
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('close', () => {
      clearTimeout(timer)
      if (!seen) reject(new Error(`bench: node ${args.join(' ')} printed nothing`))
    })
  })
}

/** Whether this Node can cache compiled code on disk (module.enableCompileCache, Node ≥ 22.1). */
export const hasCompileCache = (): boolean => typeof (createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function'

/**
 * The Action's cold start, interleaved with Node's own (`node -e`), and, where the running Node
 * has a compile cache, the same start with NODE_COMPILE_CACHE pointing at a warmed cache.
 */
export async function measureStartup(s: Samples, reps: number): Promise<void> {
  const action = join(dist, 'action', 'index.js')
  // No GITHUB_* or INPUT_* variables: the Action stops at its input check, its first line.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('GITHUB_'))) as NodeJS.ProcessEnv
  const cacheDir = mkdtempSync(join(tmpdir(), 'cutover-compile-cache-'))
  const cached = { ...env, NODE_COMPILE_CACHE: cacheDir }
  const runs: [string, () => Promise<number>][] = [
    ['action cold start (first log line)', () => firstLine([action], env)],
    ['node -e console.log (first line)', () => firstLine(['-e', 'console.log(1)'], env)],
    ...(hasCompileCache() ? ([['action cold start, compile cache warm', () => firstLine([action], cached)]] as [string, () => Promise<number>][]) : []),
  ]
  try {
    for (const [, run] of runs) await run()
    for (let r = 0; r < reps; r++) for (const [name, run] of runs) s.add(name, await run())
  } finally {
    rmSync(cacheDir, { recursive: true, force: true })
  }
}
