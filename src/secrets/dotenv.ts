import { spawnSync } from 'node:child_process'

/**
 * Kamal's secrets files are dotenv (the Ruby gem's dialect): `NAME=value`, `export NAME=value`,
 * single quotes literal, double quotes with `\n` escapes, `#` comments, quoted values spanning
 * lines, `$VAR` / `${VAR}` from earlier lines or the process environment, and `$(command)` run
 * locally (Kamal's default template has `RAILS_MASTER_KEY=$(cat config/master.key)`).
 *
 * Written here rather than taken from npm because no dotenv package there does command
 * substitution, and none reports the line of a failure.
 */
export interface DotenvEntry {
  name: string
  value: string
  line: number
  /** Variables the value read that were not set: an empty secret then says why it is empty. */
  unset: string[]
}

export interface DotenvProblem {
  line: number
  name?: string
  message: string
  expected: string
}

export interface CommandResult {
  status: number | null
  stdout: string
  /** Set when the command could not run to the end (timeout, no shell). */
  failure?: string
}
export type RunCommand = (command: string, env: Record<string, string | undefined>) => CommandResult

export interface DotenvOptions {
  env: Record<string, string | undefined>
  run: RunCommand
}

const LINE = /^\s*(?:export\s+)?([A-Za-z0-9_.]+)\s*(?:=|:\s)\s*(.*)$/s

export function parseDotenv(text: string, opts: DotenvOptions): { entries: DotenvEntry[]; problems: DotenvProblem[] } {
  const lines = text.split(/\r?\n/)
  const entries: DotenvEntry[] = []
  const problems: DotenvProblem[] = []
  // Values defined earlier in this file, as the Ruby gem resolves `$VAR`.
  const scope = new Map<string, string>()

  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1
    const raw = lines[i]!
    if (/^\s*(#.*)?$/.test(raw)) continue
    const m = LINE.exec(raw)
    if (!m) {
      problems.push({ line: startLine, message: 'is not a NAME=value line', expected: 'NAME=value, export NAME=value, or a # comment' })
      continue
    }
    const name = m[1]!
    let rest = m[2]!
    const quote = rest[0] === "'" || rest[0] === '"' ? rest[0] : undefined
    let body: string
    if (quote) {
      // A quoted value may run over several lines (PEM keys do).
      let close = findClose(rest, quote, 1)
      while (close < 0 && i + 1 < lines.length) {
        rest += `\n${lines[++i]}`
        close = findClose(rest, quote, 1)
      }
      if (close < 0) {
        problems.push({ line: startLine, name, message: `opens a ${quote === '"' ? 'double' : 'single'} quote that is never closed`, expected: 'a closing quote' })
        continue
      }
      const after = rest.slice(close + 1)
      if (!/^\s*(#.*)?$/.test(after)) {
        problems.push({ line: startLine, name, message: 'has text after the closing quote', expected: 'nothing but a # comment after a quoted value' })
        continue
      }
      body = rest.slice(1, close)
    } else {
      body = rest.replace(/\s+#.*$/, '').trim()
    }

    if (quote === "'") {
      entries.push({ name, value: body, line: startLine, unset: [] })
      scope.set(name, body)
      continue
    }
    const unescaped = quote === '"' ? body.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c) : body
    const r = substitute(unescaped, scope, opts)
    if ('problem' in r) {
      problems.push({ line: startLine, name, ...r.problem })
      continue
    }
    entries.push({ name, value: r.value, line: startLine, unset: r.unset })
    scope.set(name, r.value)
  }
  return { entries, problems }
}

function findClose(s: string, quote: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\' && quote === '"') i++
    else if (s[i] === quote) return i
  }
  return -1
}

type Substituted = { value: string; unset: string[] } | { problem: { message: string; expected: string } }

/** One left-to-right pass, so a value read from a variable is never itself run as a command. */
function substitute(s: string, scope: Map<string, string>, opts: DotenvOptions): Substituted {
  let out = ''
  const unset: string[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '\\' && s[i + 1] === '$') {
      out += '$'
      i++
    } else if (c === '$' && s[i + 1] === '(') {
      const end = matchParen(s, i + 1)
      if (end < 0) return { problem: { message: 'has a $( without its closing )', expected: '$(command)' } }
      const r = runCommand(s.slice(i + 2, end), scope, opts)
      if ('problem' in r) return r
      out += r.value
      i = end
    } else if (c === '$') {
      const m = /^\{([A-Za-z0-9_]+)\}|^([A-Za-z0-9_]+)/.exec(s.slice(i + 1))
      if (!m) {
        out += c
        continue
      }
      const name = (m[1] ?? m[2])!
      const value = scope.get(name) ?? envValue(opts.env, name)
      if (value === undefined) unset.push(name)
      out += value ?? ''
      i += m[0].length
    } else {
      out += c
    }
  }
  return { value: out, unset }
}

/** An environment variable; never an inherited property such as `toString`. */
export const envValue = (env: Record<string, string | undefined>, name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : undefined)

function matchParen(s: string, open: number): number {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') i++
    else if (s[i] === '(') depth++
    else if (s[i] === ')' && --depth === 0) return i
  }
  return -1
}

function runCommand(command: string, scope: Map<string, string>, opts: DotenvOptions): Substituted {
  // Earlier values reach the command as environment variables rather than being pasted into its
  // text, so a value with quotes or `;` in it cannot change what the shell runs.
  const r = opts.run(command, { ...opts.env, ...Object.fromEntries(scope) })
  // Never echo the command's output: it may be (part of) a secret.
  if (r.failure) return { problem: { message: `$(…) ${r.failure}`, expected: 'a command that finishes and exits 0' } }
  if (r.status !== 0) {
    const hint = r.status === 127 ? ' (command not found)' : ''
    return { problem: { message: `$(…) exited with status ${r.status}${hint}`, expected: 'a command that exits 0 (run it by hand to see why it fails)' } }
  }
  return { value: r.stdout.replace(/\r?\n$/, ''), unset: [] }
}

const COMMAND_TIMEOUT_MS = 60_000

/** Runs a `$(…)` command with `sh -c` in `cwd`; stdin closed, output captured and never shown. */
export function shellRunner(cwd: string): RunCommand {
  return (command, env) => {
    const r = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 })
    if (r.error) {
      const code = (r.error as NodeJS.ErrnoException).code
      return { status: null, stdout: '', failure: code === 'ETIMEDOUT' ? `did not finish within ${COMMAND_TIMEOUT_MS / 1000}s` : `could not run (${code ?? 'error'})` }
    }
    if (r.signal) return { status: null, stdout: '', failure: `was killed by ${r.signal}` }
    return { status: r.status, stdout: r.stdout }
  }
}
