import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { shellJoin, type Argv } from '../../../src/argv/shell-join.js'

/** The words a program would receive if `argv` went over SSH: shellJoin → sh -c → printf. */
export function wordsThroughSh(argv: Argv): string[] {
  const out = execFileSync('sh', ['-c', shellJoin(['printf', '%s\\0', ...argv])], { encoding: 'utf8' })
  return out.split('\0').slice(0, -1)
}

/** Run argv as the remote shell would (a command string), in `cwd`. */
export function runInSh(argv: Argv, cwd: string, env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', shellJoin(argv)], { cwd, env, encoding: 'utf8', timeout: 20_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `cutover-${prefix}-`))
