/**
 * What the GitHub runner does around an action step, for tests: the INPUT_* variables (with
 * action.yml's defaults, as the runner fills them), the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY /
 * GITHUB_STATE files and the event payload file, and reading those files back.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '../../..')

interface ActionMetadata {
  inputs: Record<string, { default?: string }>
}

/** action.yml's input defaults; `${{ github.token }}` is what the runner would evaluate, so the test passes its own. */
export function inputDefaults(): Record<string, string> {
  const meta = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata
  return Object.fromEntries(
    Object.entries(meta.inputs)
      .filter(([, i]) => i.default !== undefined && !String(i.default).includes('${{'))
      .map(([name, i]) => [name, String(i.default)]),
  )
}

/** The variable the runner sets for an input (`ssh-private-key` → `INPUT_SSH-PRIVATE-KEY`). */
export const inputVar = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

/** Parses a file-command file (GITHUB_OUTPUT, GITHUB_STATE): `name<<DELIM` heredocs or `name=value`. Later entries win, as on the runner. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line === '') continue
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line)
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1)
      if (end === -1) throw new Error(`file command: no closing ${heredoc[2]} for ${heredoc[1]}`)
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

export interface StepFiles {
  dir: string
  output: string
  summary: string
  state: string
  event: string
}

/** Fresh per-step files in `dir` (each step of a job gets its own output and state files). */
export function stepFiles(dir: string, step: string): StepFiles {
  const f = {
    dir,
    output: join(dir, `${step}.output`),
    summary: join(dir, `${step}.summary.md`),
    state: join(dir, `${step}.state`),
    event: join(dir, 'event.json'),
  }
  for (const p of [f.output, f.summary, f.state]) writeFileSync(p, '')
  return f
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'cutover-action-'))

export function readStep(f: StepFiles): { outputs: Record<string, string>; summary: string; state: Record<string, string>; raw: string } {
  const raw = [f.output, f.summary, f.state].map((p) => readFileSync(p, 'utf8'))
  return { outputs: parseFileCommands(raw[0]!), summary: raw[1]!, state: parseFileCommands(raw[2]!), raw: raw.join('\n') }
}

/** The environment a runner gives a step: GITHUB_* context, file commands, inputs, and STATE_* for a post step. */
export function stepEnv(o: {
  files: StepFiles
  inputs: Record<string, string>
  github: Record<string, string>
  state?: Record<string, string>
}): Record<string, string> {
  const env: Record<string, string> = {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: o.files.output,
    GITHUB_STEP_SUMMARY: o.files.summary,
    GITHUB_STATE: o.files.state,
    GITHUB_EVENT_PATH: o.files.event,
    RUNNER_TEMP: o.files.dir,
    ...o.github,
  }
  for (const [name, value] of Object.entries({ ...inputDefaults(), ...o.inputs })) env[inputVar(name)] = value
  for (const [name, value] of Object.entries(o.state ?? {})) env[`STATE_${name}`] = value
  return env
}
