import { spawn } from 'node:child_process'
import { kamalBin } from '../../testbed/kamal.js'

export interface KamalRun {
  args: string[]
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/**
 * Real Kamal (test/testbed/kamal.ts installs it) run in `cwd` with only the given environment
 * besides PATH and HOME. Bounded by timeoutMs (SIGKILL); prints a progress line every 10 s.
 */
export function kamal(args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<KamalRun> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(kamalBin, args, { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    const ticker = setInterval(() => console.log(`kamal ${args.join(' ')}: still running after ${Math.round((performance.now() - started) / 1000)}s`), 10_000)
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000)
    child.on('close', (code) => {
      clearInterval(ticker)
      clearTimeout(killer)
      resolve({ args, code, stdout, stderr, ms: Math.round(performance.now() - started) })
    })
  })
}

/** A Kamal run for an assertion message: the command, exit code and the end of its output. */
export const describeKamal = (r: KamalRun): string =>
  `kamal ${r.args.join(' ')} exited ${r.code} after ${r.ms} ms\n--- stdout (end)\n${r.stdout.slice(-3000)}\n--- stderr (end)\n${r.stderr.slice(-3000)}`

/** `kamal app version`: the version it reports for each host ("App Host: H" then the version). */
export function appVersions(r: KamalRun): Map<string, string> {
  const out = new Map<string, string>()
  const lines = (r.stdout + '\n' + r.stderr).split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
  lines.forEach((line, i) => {
    const m = /^App Host: (\S+)/.exec(line)
    if (m) out.set(m[1]!, lines.slice(i + 1).find((l) => l !== '') ?? '')
  })
  return out
}
