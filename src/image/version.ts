import { randomBytes } from 'node:crypto'
import { TAG_PATTERN } from '../argv/names.js'
import type { Git } from './git.js'

export class VersionError extends Error {
  override name = 'VersionError'
}

export interface VersionRequest {
  /** The app's directory (where config/deploy.yml lives); the repository is found from here. */
  appDir: string
  /** `--ref`: build this commit instead of HEAD (clone builds only). */
  ref?: string
  /** `--version`: use this tag instead of the commit sha. */
  version?: string
  /** `builder.context`; set means "build from the working tree", absent means "from a clone". */
  context?: string
}

export interface ResolvedVersion {
  /** The image tag. */
  version: string
  /** The commit being built; undefined only for a context build outside any git repository. */
  commit?: string
  /** Top of the git repository, when there is one. */
  repoRoot?: string
  source: 'clone' | 'context'
  /**
   * True when the image is built from a dirty working tree. Such a build always runs: the
   * registry may hold an image under the same tag that was built from other bytes.
   */
  uncommitted: boolean
  /** Things the user should see (uncommitted changes left out or built in). */
  warnings: string[]
}

const SHOWN_CHANGES = 20

/**
 * The version (image tag) of this build. Default: the sha of HEAD, or of `--ref`.
 * A clone build leaves uncommitted changes out (warns, no suffix). A context build from a
 * dirty tree gets Kamal's `_uncommitted_<16 random hex>` suffix: random, as Kamal's is, so the
 * tag never names an image built from other bytes and the build is never skipped.
 */
export async function resolveVersion(git: Git, request: VersionRequest, random: (bytes: number) => Buffer = randomBytes): Promise<ResolvedVersion> {
  const source = request.context === undefined ? 'clone' : 'context'
  if (request.version !== undefined && !TAG_PATTERN.test(request.version)) {
    throw new VersionError(`--version '${request.version}' is not a valid image tag: use letters, digits, '_', '.' and '-' (not first), at most 128 characters.`)
  }
  const repoRoot = await git.tryToplevel(request.appDir)
  if (repoRoot === false) {
    if (source === 'clone') {
      throw new VersionError(`${request.appDir} is not inside a git repository, and cutover builds from a clean git clone by default. Run it from your repository, or set builder.context (e.g. ".") to build the directory as it is, with --version.`)
    }
    if (request.version === undefined) {
      throw new VersionError(`${request.appDir} is not inside a git repository, so there is no commit sha to use as the version. Pass --version.`)
    }
    return { version: request.version, source, uncommitted: false, warnings: [] }
  }

  const commit = await git.resolveCommit(repoRoot, request.ref ?? 'HEAD')
  const changes = await git.status(repoRoot)
  const warnings: string[] = []

  if (source === 'clone') {
    if (changes) warnings.push(`Building from a clean clone of ${commit}, so these uncommitted changes are left out:\n${listChanges(changes)}`)
    return { version: request.version ?? commit, commit, repoRoot, source, uncommitted: false, warnings }
  }

  if (request.ref !== undefined) {
    const head = await git.resolveCommit(repoRoot, 'HEAD')
    if (head !== commit) {
      throw new VersionError(`--ref ${request.ref} (${commit}) is not the checked-out commit (${head}), and builder.context builds the working tree as it is. Check out ${request.ref} first, or remove builder.context to build from a clean clone.`)
    }
  }
  if (!changes) return { version: request.version ?? commit, commit, repoRoot, source, uncommitted: false, warnings }

  const version = request.version ?? `${commit}_uncommitted_${random(8).toString('hex')}`
  warnings.push(`Building with uncommitted changes (builder.context is set), as version ${version}; this build is never skipped:\n${listChanges(changes)}`)
  return { version, commit, repoRoot, source, uncommitted: true, warnings }
}

function listChanges(status: string): string {
  const lines = status.split('\n')
  const shown = lines.slice(0, SHOWN_CHANGES).map((l) => `  ${l}`)
  if (lines.length > SHOWN_CHANGES) shown.push(`  … and ${lines.length - SHOWN_CHANGES} more`)
  return shown.join('\n')
}
