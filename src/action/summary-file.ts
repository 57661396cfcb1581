import { appendFile } from 'node:fs/promises'

/**
 * Appends markdown to the job summary. Appended directly rather than through core.summary, whose
 * file path is cached process-wide. Outside a runner (no GITHUB_STEP_SUMMARY) there is nowhere
 * to write it; that is not an error. A write that fails is a warning, never a failed step.
 */
export async function writeSummary(markdown: string, warn: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY
  if (!file) return
  try {
    await appendFile(file, `${markdown}\n`, 'utf8')
  } catch (err) {
    warn(`cutover: could not write the job summary: ${(err as Error).message}`)
  }
}
