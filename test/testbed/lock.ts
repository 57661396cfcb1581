import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { progress } from './sh.js'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Runs `fn` holding a lock directory, so two `up`s (say, two worktrees' test runs) never build or
 * start the same containers at once. A lock left by a dead process is taken over. Bounded wait.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>, waitMs = 20 * 60_000): Promise<T> {
  const deadline = Date.now() + waitMs
  let told = false
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 })
  for (;;) {
    try {
      mkdirSync(dir)
      writeFileSync(join(dir, 'pid'), String(process.pid))
      break
    } catch {
      let holder = 0
      try {
        holder = Number(readFileSync(join(dir, 'pid'), 'utf8')) || 0
      } catch {
        // the holder has made the directory but not yet written its pid: wait for it
      }
      if (holder && !alive(holder)) {
        rmSync(dir, { recursive: true, force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`testbed: another \`up\` (pid ${holder}) still holds ${dir} after ${waitMs / 60_000} min: wait for it, or remove ${dir} if no \`up\` runs`)
      if (!told) progress(`waiting for another \`up\` (pid ${holder}) to finish`)
      told = true
      await new Promise((r) => setTimeout(r, 1_000))
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
