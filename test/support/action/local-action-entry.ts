/**
 * The entry @github/local-action runs (it imports a TypeScript file and calls its `run()`; the
 * same file serves as --post, told apart by saved state as dist/action/index.js is). The runner
 * starts actions in the workspace; local-action starts them where the action's package.json is,
 * so this moves to GITHUB_WORKSPACE first.
 */
import { createEnginePort } from '../../../src/action/engine-adapter.js'
import { runEntry } from '../../../src/action/entry.js'

export async function run(): Promise<void> {
  if (process.env.GITHUB_WORKSPACE) process.chdir(process.env.GITHUB_WORKSPACE)
  await runEntry(createEnginePort())
}
