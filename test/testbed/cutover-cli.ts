import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DeployResult } from '../../src/engine/result.js'
import { checkoutDir, localDir } from './layout.js'
import type { Testbed } from './testbed-json.js'

/** The bundled CLI, as `npm install` would put it on a user's PATH (`bin: cutover`). */
export const cliPath = join(checkoutDir, 'dist', 'cli', 'index.js')

export interface CliRun {
  code: number
  stdout: string
  stderr: string
  /** From spawning the process to its exit: Node's startup included. */
  wallMs: number
}

/**
 * Runs `cutover ARGS` as a fresh process, like a user would; bounded by `timeoutMs`. `cli` is
 * another bundle to run instead of this checkout's (the benchmark compares with an earlier build).
 */
export function cutover(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; cli?: string }): Promise<CliRun> {
  const cli = options.cli ?? cliPath
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\``)
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timeoutMs = options.timeoutMs ?? 300_000
    const timer = setTimeout(() => {
      err.push(Buffer.from(`\n(killed after ${Math.round(timeoutMs / 1000)}s)\n`))
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), wallMs: performance.now() - started })
    })
  })
}

/**
 * The testbed with its known_hosts copied into this checkout's .testbed/: every checkout shares
 * one known_hosts file, and another checkout's `up` may rewrite it while this run goes on. The
 * copy must pin every host of this testbed; otherwise the error says so.
 */
export function withOwnKnownHosts(testbed: Testbed): Testbed {
  const text = readFileSync(testbed.ssh.knownHostsPath, 'utf8')
  const missing = testbed.hosts.filter((h) => !text.split('\n').some((l) => l.startsWith(`${h.address} `)))
  if (missing.length) {
    throw new Error(`${testbed.ssh.knownHostsPath} has no key for ${missing.map((h) => h.name).join(', ')} (another checkout's \`testbed:up\` rewrote it?): run this again`)
  }
  const knownHostsPath = join(localDir, 'known_hosts')
  writeFileSync(knownHostsPath, text, { mode: 0o644 })
  return { ...testbed, ssh: { ...testbed.ssh, knownHostsPath } }
}

/** The flags that point the CLI at the testbed's SSH key and known_hosts (strict host keys). */
export const sshFlags = (testbed: Testbed): string[] => ['--known-hosts', testbed.ssh.knownHostsPath, '--ssh-key', testbed.ssh.keyPath]

/** `cutover deploy --skip-build --version V --json`: the parsed result, or an error with the CLI's own words. */
export async function deployJson(testbed: Testbed, version: string, options: { cwd: string; env: NodeJS.ProcessEnv; config?: string; cli?: string }): Promise<{ run: CliRun; result: DeployResult }> {
  const args = ['deploy', '--skip-build', '--version', version, ...(options.config ? ['-c', options.config] : []), ...sshFlags(testbed), '--json']
  const run = await cutover(args, options)
  let result: DeployResult | undefined
  try {
    result = JSON.parse(run.stdout) as DeployResult
  } catch {
    result = undefined
  }
  if (!result || !Array.isArray(result.hosts)) {
    throw new Error(`cutover ${args.join(' ')} exited ${run.code} without a JSON result:\n${run.stderr.trim() || run.stdout.trim()}`)
  }
  return { run, result }
}
