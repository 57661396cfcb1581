import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { HooksConfig } from '../../../src/config/index.js'
import { HookRunner } from '../../../src/hooks/runner.js'
import { memoryLogger } from '../../../src/log.js'
import { redact } from '../../../src/secrets/redact.js'
import { tempDir } from '../helpers/sh.js'

// Real hook scripts in a temp dir, run by the real local exec.
const SECRET = 'hook-secret-Sentinel-77'

function project(hooks: Record<string, { script: string; mode?: number }>): { dir: string; hooksDir: string } {
  const dir = tempDir('hooks')
  const hooksDir = join(dir, '.kamal/hooks')
  mkdirSync(hooksDir, { recursive: true })
  for (const [name, { script, mode }] of Object.entries(hooks)) {
    writeFileSync(join(hooksDir, name), `#!/bin/sh\n${script}\n`)
    chmodSync(join(hooksDir, name), mode ?? 0o755)
  }
  return { dir, hooksDir }
}

function runner(p: { dir: string; hooksDir: string }, opts: { skip?: boolean; output?: HooksConfig['output']; progressEveryMs?: number } = {}) {
  const logger = memoryLogger()
  const r = new HookRunner({
    dir: p.hooksDir,
    cwd: p.dir,
    skip: opts.skip ?? false,
    ...(opts.output ? { output: opts.output } : {}),
    run: { service: 'app', version: 'v1', performer: 'me', command: 'deploy', hosts: ['vm1'] },
    secrets: () => ({ DB_PASSWORD: SECRET }),
    redact: (t) => redact(t, [SECRET]),
    logger,
    ...(opts.progressEveryMs ? { progressEveryMs: opts.progressEveryMs } : {}),
  })
  return { r, lines: logger.lines }
}

describe('HookRunner', () => {
  it('runs the hook file in the app directory with Kamal variables and the secrets; no file is no hook', async () => {
    const p = project({ 'pre-deploy': { script: 'pwd > out.txt; echo "$KAMAL_SERVICE $KAMAL_LOCK $DB_PASSWORD" >> out.txt' } })
    const { r } = runner(p)
    expect(await r.run('pre-deploy', { lock: true })).toBe(true)
    expect(readFileSync(join(p.dir, 'out.txt'), 'utf8').split('\n')).toEqual([p.dir, `app true ${SECRET}`, ''])
    expect(await r.run('post-deploy', { lock: false })).toBe(false)
    expect(r.fired('pre-deploy')).toBe(true)
    expect(r.fired('post-deploy')).toBe(false)
  })

  // Kamal: with no setting the hook's line shows and its output only at debug (-v); `verbose`
  // shows the output; `quiet` hides both (debug only). Per hook settings override nothing else.
  it.each<{ output: HooksConfig['output']; running: string; said: string }>([
    { output: undefined, running: 'info', said: 'debug' },
    { output: 'verbose', running: 'info', said: 'info' },
    { output: 'quiet', running: 'debug', said: 'debug' },
    { output: { 'pre-build': 'verbose' }, running: 'info', said: 'info' },
    { output: { 'pre-deploy': 'verbose' }, running: 'info', said: 'debug' },
    { output: { 'pre-build': 'quiet' }, running: 'debug', said: 'debug' },
  ])('hooks_output $output: the running line at $running, the output at $said', async ({ output, running, said }) => {
    const p = project({ 'pre-build': { script: 'echo said-on-stdout; echo said-on-stderr >&2' } })
    const { r, lines } = runner(p, output ? { output } : {})
    await r.run('pre-build', { lock: false })
    expect(lines.filter((l) => l.includes('running hook pre-build'))).toEqual([`${running}: running hook pre-build (.kamal/hooks/pre-build) on this machine`])
    // stdout and stderr are two pipes: their lines may arrive in either order.
    expect(lines.filter((l) => l.includes('said-on')).sort()).toEqual([`${said}: pre-build: said-on-stderr`, `${said}: pre-build: said-on-stdout`])
  })

  it('--skip-hooks runs nothing', async () => {
    const p = project({ 'pre-deploy': { script: 'touch ran' } })
    const { r, lines } = runner(p, { skip: true })
    expect(await r.run('pre-deploy', { lock: true })).toBe(false)
    expect(existsSync(join(p.dir, 'ran'))).toBe(false)
    expect(lines).toEqual([])
  })

  it('an existing hook that is not executable warns, naming the file and the fix, and is not run', async () => {
    const p = project({ 'pre-deploy': { script: 'touch ran', mode: 0o644 } })
    const { r, lines } = runner(p)
    expect(await r.run('pre-deploy', { lock: true })).toBe(false)
    expect(existsSync(join(p.dir, 'ran'))).toBe(false)
    expect(lines).toEqual([expect.stringMatching(/^warn: hook pre-deploy: \.kamal\/hooks\/pre-deploy exists but is not an executable file.*chmod \+x \.kamal\/hooks\/pre-deploy/)])
  })

  it('a failing hook throws an Error naming the hook, its exit code and its output, with secrets redacted', async () => {
    const p = project({ 'pre-deploy': { script: `echo "checking with $DB_PASSWORD"; echo "refused: $(printf %s "$DB_PASSWORD") is stale" >&2; exit 3` } })
    const { r, lines } = runner(p)
    const e = await r.run('pre-deploy', { lock: true }).then(
      () => null,
      (err: unknown) => err,
    )
    expect(e).toBeInstanceOf(Error)
    const err = e as Error
    expect(err.message).toMatch(/^hook pre-deploy \(\.kamal\/hooks\/pre-deploy\) failed with exit code 3 after \d+\.\ds; its output:\n/)
    expect(err.message.split('\n').slice(1).sort()).toEqual(['checking with [redacted]', 'refused: [redacted] is stale'])
    expect(err.message).not.toContain(SECRET)
    expect(JSON.stringify(lines)).not.toContain(SECRET)
    expect(r.fired('pre-deploy')).toBe(false)
  })

  it('a hook that runs long says so, with its name and elapsed time', async () => {
    const p = project({ 'pre-deploy': { script: 'sleep 0.35' } })
    const { r, lines } = runner(p, { progressEveryMs: 100 })
    await r.run('pre-deploy', { lock: true })
    expect(lines.filter((l) => /^info: hook pre-deploy is still running on this machine \(\d+s\)$/.test(l)).length).toBeGreaterThanOrEqual(2)
  })
})
