/**
 * Runs the Action's entry (main or post) in this process with the real @actions/core, the way
 * the runner would set it up: process.env holds the step's INPUT_/GITHUB_/STATE_ variables
 * for the duration, and everything written to stdout is captured in order, interleaved with
 * the fake engine's "uses" of secret values (for the masking-order check).
 */
import { runEntry } from '../../../src/action/entry.js'
import type { EnginePort } from '../../../src/action/engine-port.js'
import { readStep, stepEnv, type StepFiles } from './runner-files.js'

export type JournalEntry = { kind: 'out'; text: string } | { kind: 'use'; text: string }

export interface StepRun {
  /** Every stdout line the step printed, in order. */
  lines: string[]
  outputs: Record<string, string>
  summary: string
  state: Record<string, string>
  /** The three files' raw text, for leak scans. */
  files: string
  exitCode: number
}

const OWNED = /^(INPUT_|STATE_|GITHUB_|RUNNER_)/

export async function runStep(o: {
  engine: EnginePort
  files: StepFiles
  inputs: Record<string, string>
  github: Record<string, string>
  state?: Record<string, string>
  journal: JournalEntry[]
}): Promise<StepRun> {
  const saved = { ...process.env }
  for (const k of Object.keys(process.env)) if (OWNED.test(k)) delete process.env[k]
  Object.assign(process.env, stepEnv(o))
  const first = o.journal.length
  const write = process.stdout.write
  let partial = ''
  process.stdout.write = ((chunk: string | Uint8Array) => {
    partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    const parts = partial.split('\n')
    partial = parts.pop() ?? ''
    for (const text of parts) o.journal.push({ kind: 'out', text })
    return true
  }) as typeof process.stdout.write
  process.exitCode = undefined
  try {
    await runEntry(o.engine, process.env)
  } finally {
    process.stdout.write = write
    if (partial) o.journal.push({ kind: 'out', text: partial })
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
    Object.assign(process.env, saved)
  }
  const exitCode = Number(process.exitCode ?? 0)
  process.exitCode = undefined
  const read = readStep(o.files)
  const lines = o.journal.slice(first).flatMap((e) => (e.kind === 'out' ? [e.text] : []))
  return { lines, outputs: read.outputs, summary: read.summary, state: read.state, files: read.raw, exitCode }
}
