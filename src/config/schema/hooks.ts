import { byKind } from './section.js'
import { leaf, mapOf, text } from './values.js'

/** Kamal's hook output levels (`hooks_output`); Kamal writes them as symbols, `:quiet`, which YAML here reads as text. */
export const HOOK_OUTPUT_LEVELS = ['quiet', 'verbose'] as const
export type HookOutputLevel = (typeof HOOK_OUTPUT_LEVELS)[number]

const EXPECTED_LEVEL = 'quiet or verbose (Kamal also accepts :quiet and :verbose)'

const level = leaf<HookOutputLevel>(EXPECTED_LEVEL, (v) => {
  const name = typeof v === 'string' ? v.replace(/^:/, '') : undefined
  if (name === 'quiet' || name === 'verbose') return { ok: true, value: name }
  return { ok: false, message: typeof v === 'string' ? `is ${JSON.stringify(v)}` : v === undefined ? 'is missing' : `is not a string` }
})

/** `hooks_output: verbose`, or per hook: `hooks_output: { pre-deploy: verbose, pre-build: quiet }`. */
export const hooksOutputSchema = byKind({ string: level, map: mapOf(level, 'a map of hook: quiet or verbose') }, 'quiet, verbose, or a map of hook name: quiet or verbose')

/** `hooks_path`: where the hook files are, relative to the app's directory (Kamal's default `.kamal/hooks`). */
export const hooksPathSchema = text('a directory, e.g. .kamal/hooks')
