import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { FakeEngineOptions } from './fake-engine.js'
import { readStep, stepEnv, type StepFiles } from './runner-files.js'

const ROOT = join(import.meta.dirname, '../../..')

let bundle: string | undefined
/**
 * Bundles fake-entry.ts with ncc exactly as `npm run build` bundles the Action (CommonJS, one
 * file), so these processes load @actions/core (ESM-only) the way dist/action/index.js does.
 * About 5 s, once per test file.
 */
export function buildFakeEntry(): string {
  if (bundle) return bundle
  const out = mkdtempSync(join(tmpdir(), 'cutover-fake-entry-'))
  execFileSync(process.execPath, [join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', join(ROOT, 'test/support/action/fake-entry.ts'), '-o', out, '-q'], { cwd: ROOT, stdio: 'pipe' })
  bundle = join(out, 'index.js')
  return bundle
}

export interface ProcessStep {
  child: ChildProcess
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

/** Starts one step as its own process, with only the runner's variables (plus PATH/HOME). */
export function startStep(o: { files: StepFiles; inputs: Record<string, string>; github: Record<string, string>; state?: Record<string, string>; engine: FakeEngineOptions }): ProcessStep {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...stepEnv(o), CUTOVER_FAKE_ENGINE: JSON.stringify(o.engine) }
  const child = spawn(process.execPath, [buildFakeEntry()], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, done }
}

export async function runStepProcess(o: Parameters<typeof startStep>[0]) {
  const r = await startStep(o).done
  return { ...r, ...readStep(o.files) }
}

/** Waits (bounded) until `file` exists: the fake engine's pause point. */
export async function waitForFile(file: string, timeoutMs = 15_000): Promise<void> {
  for (let waited = 0; !existsSync(file); waited += 50) {
    if (waited >= timeoutMs) throw new Error(`${file} did not appear within ${timeoutMs} ms`)
    await delay(50)
  }
}
