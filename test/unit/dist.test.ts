import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// These run the committed bundle (what action.yml points at), the way the runner does:
// `node dist/action/index.js`, with the runner's environment files, and then the post step.
const bundle = resolve(import.meta.dirname, '../../dist/action/index.js')

/** The runner's file-command format: `name<<DELIM\nvalue\nDELIM` blocks, or `name=value` lines. */
function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]!)
      out[name!] = value.join('\n')
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return out
}

/** A runner-like environment: no INPUT_* (no inputs), fresh file-command files. */
function runnerEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTIONS: 'true', RUNNER_TEMP: dir }
  for (const name of ['GITHUB_STATE', 'GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
    const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}`)
    writeFileSync(file, '')
    env[name] = file
  }
  return { ...env, ...extra }
}

const node = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [bundle], { env, encoding: 'utf8', timeout: 30_000 })

describe('the bundled action (dist/action/index.js)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runner-'))
  const mainEnv = runnerEnv(dir)
  const main = node(mainEnv)

  it('fails with no inputs: exit 1, exactly one ::error::, no stack trace', () => {
    const output = main.stdout + main.stderr
    expect(main.status).toBe(1)
    expect(output.match(/^::error::/gm)).toHaveLength(1)
    // The one error names what is missing and how to fix it.
    expect(output).toMatch(/^::error::.*Input `known-hosts` is required.*cutover known-hosts HOST/m)
    expect(output).not.toMatch(/^\s+at /m)
    expect(output).not.toMatch(/Error:/)
  })

  it('then runs its post step with the state main saved, exits 0 and prints no error', () => {
    const saved = parseFileCommands(readFileSync(mainEnv.GITHUB_STATE!, 'utf8'))
    expect(Object.keys(saved).length).toBeGreaterThan(0)
    // The runner hands each saved name to the post step as STATE_<name>, with fresh files.
    const state = Object.fromEntries(Object.entries(saved).map(([k, v]) => [`STATE_${k}`, v]))
    const post = node(runnerEnv(dir, state))
    expect(post.status).toBe(0)
    expect(post.stdout + post.stderr).not.toMatch(/::error|Error|^\s+at /m)
  })
})

describe('the Action bundle size', () => {
  const dir = resolve(import.meta.dirname, '../../dist/action')
  const js = readdirSync(dir).filter((f) => f.endsWith('.js'))
  const size = (f: string) => statSync(join(dir, f)).size

  it('is under 3 MB of JavaScript counting every chunk (each job downloads it)', () => {
    const total = js.reduce((sum, f) => sum + size(f), 0)
    expect(total).toBeLessThan(3_000_000)
  })

  it('keeps @actions/cache (the Azure SDK) out of what a no-op loads: it sits in a lazily loaded chunk', () => {
    const entry = readFileSync(join(dir, 'index.js'), 'utf8')
    const chunks = js.filter((f) => f !== 'index.js').map((f) => readFileSync(join(dir, f), 'utf8'))
    expect(entry).not.toContain('BlobServiceClient')
    expect(chunks.some((c) => c.includes('BlobServiceClient'))).toBe(true)
    // The entry's loader finds chunks by this file name pattern, and each minified chunk loads.
    expect(entry).toContain('.index.js"')
    for (const f of js.filter((x) => x !== 'index.js')) {
      const loaded = spawnSync(process.execPath, ['-e', `const c = require(${JSON.stringify(join(dir, f))}); if (Object.keys(c.modules).length === 0) process.exit(3)`], { encoding: 'utf8' })
      expect(loaded.status, `${f}: ${loaded.stderr}`).toBe(0)
    }
  })

  it('ships the licence notices of the lazily loaded chunk too', () => {
    const notices = readFileSync(join(dir, 'licenses.txt'), 'utf8')
    for (const pkg of ['@actions/cache@', '@azure/storage-blob@', 'ssh2@', 'zod@']) expect(`\n${notices}`).toContain(`\n${pkg}`)
  })
})
