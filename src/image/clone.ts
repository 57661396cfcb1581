import { createHash } from 'node:crypto'
import { mkdir, realpath, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Logger } from '../log.js'
import type { Git } from './git.js'

export class CloneError extends Error {
  override name = 'CloneError'
}

export interface CloneRequest {
  /** Top of the local repository the build starts from (the clone's source). */
  repoRoot: string
  /** Full sha the clone must end up at. */
  commit: string
  /** Where the clone lives, from cloneDirFor(). */
  cloneDir: string
}

/**
 * The clone directory for a service: one per service and source repository, outside the repo
 * (so the clone never shows up as untracked files in it) and reused between runs, so a build
 * fetches only what changed. Keyed by the repo path too, as Kamal does, so two checkouts of
 * different apps with the same service name never share a clone.
 */
export function cloneDirFor(cacheDir: string, service: string, repoRoot: string): string {
  const safeService = service.replace(/[^A-Za-z0-9_.-]/g, '_')
  const repoKey = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)
  return join(cacheDir, 'clones', `${safeService}-${repoKey}`)
}

/**
 * Kamal's algorithm: reuse the clone if there is one (fetch, hard reset, clean untracked and
 * ignored files, update submodules), else clone; then check it is clean and at the commit.
 * If any of that fails, delete the directory, clone again and check again; only a second
 * failure is an error, and it reports both.
 */
export async function prepareClone(git: Git, request: CloneRequest, log: Logger): Promise<void> {
  const { cloneDir } = request
  try {
    if (await isOwnRepository(git, cloneDir)) {
      log.info(`Resetting the build clone in ${cloneDir} to ${request.commit}`)
    } else {
      await clearIfPresent(cloneDir)
      log.info(`Cloning ${request.repoRoot} into ${cloneDir}`)
      await git.clone(request.repoRoot, cloneDir)
    }
    await resetTo(git, request)
    await validate(git, request)
    return
  } catch (first) {
    log.warn(`The build clone in ${cloneDir} is unusable (${firstLine(first)}); deleting it and cloning again`)
    try {
      await rm(cloneDir, { recursive: true, force: true })
      await git.clone(request.repoRoot, cloneDir)
      await resetTo(git, request)
      await validate(git, request)
    } catch (second) {
      throw new CloneError(
        `Could not prepare a clean clone of ${request.repoRoot} at ${request.commit} in ${cloneDir}.\n` +
          `  First attempt: ${message(first)}\n` +
          `  After deleting the directory and cloning again: ${message(second)}\n` +
          `Check that the commit exists in ${request.repoRoot} (and its submodules can be fetched), and that ${dirname(cloneDir)} is writable.`,
      )
    }
  }
}

/**
 * True only when `dir` is the top of its own repository. Without this check, git run in a
 * directory whose .git was lost would walk up and act on whatever repository encloses it.
 */
async function isOwnRepository(git: Git, dir: string): Promise<boolean> {
  const top = await git.tryToplevel(dir)
  if (top === false) return false
  try {
    return (await realpath(top)) === (await realpath(dir))
  } catch {
    return false
  }
}

async function clearIfPresent(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dirname(dir), { recursive: true })
}

async function resetTo(git: Git, { repoRoot, commit, cloneDir }: CloneRequest): Promise<void> {
  // The repository may have moved since the clone was made.
  await git.setOriginUrl(cloneDir, repoRoot)
  await git.fetchCommit(cloneDir, commit)
  await git.resetHard(cloneDir, commit)
  await git.clean(cloneDir)
  await git.updateSubmodules(cloneDir)
  await git.tryGcAuto(cloneDir)
}

async function validate(git: Git, { commit, cloneDir }: CloneRequest): Promise<void> {
  if (!(await isOwnRepository(git, cloneDir))) throw new CloneError(`${cloneDir} is not a git repository of its own`)
  const status = await git.status(cloneDir, { ignored: true })
  if (status !== '') throw new CloneError(`the clone in ${cloneDir} is not clean after the reset:\n${status}`)
  const head = await git.head(cloneDir)
  if (head !== commit) throw new CloneError(`the clone in ${cloneDir} is at ${head}, expected ${commit}`)
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const firstLine = (e: unknown): string => message(e).split('\n')[0] ?? ''
