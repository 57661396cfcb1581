import type { Argv } from './shell-join.js'

/**
 * git argv for the clean-clone build, as data. Every command takes the directory explicitly
 * (`-C dir`) rather than relying on the caller's cwd, so a table test pins where each runs.
 * `--` separates options from revisions and paths wherever git accepts it, so a ref or path
 * starting with `-` can never be read as an option.
 */
const git = (dir: string, ...args: string[]): Argv => ['git', '-C', dir, ...args]

export const gitArgv = {
  /** Prints the work tree's top directory; fails outside a repository. */
  showToplevel: (dir: string): Argv => git(dir, 'rev-parse', '--show-toplevel'),
  /** Resolves any ref (branch, tag, short sha) to a full commit sha; fails if it names no commit. */
  resolveCommit: (dir: string, ref: string): Argv => git(dir, 'rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`),
  /** Porcelain status; untracked files included (Kamal counts them as uncommitted changes). */
  status: (dir: string, { ignored = false } = {}): Argv =>
    git(dir, 'status', '--porcelain', '--untracked-files=all', ...(ignored ? ['--ignored'] : [])),
  /** A clone with no checkout: the reset steps that follow put it at the exact commit. */
  clone: (source: string, dest: string): Argv => ['git', 'clone', '--no-checkout', '--quiet', '--', source, dest],
  setOriginUrl: (dir: string, url: string): Argv => git(dir, 'remote', 'set-url', 'origin', url),
  /**
   * Fetches one commit by sha. A CI checkout is often a detached commit that no branch points
   * at, so fetching branches (Kamal's `git fetch origin`) would not bring it over.
   */
  fetchCommit: (dir: string, sha: string): Argv => git(dir, 'fetch', '--quiet', '--no-tags', 'origin', sha),
  resetHard: (dir: string, sha: string): Argv => git(dir, 'reset', '--hard', '--quiet', sha, '--'),
  /** -ffdx: untracked AND ignored files, and nested repositories too. */
  clean: (dir: string): Argv => git(dir, 'clean', '-ffdxq'),
  submoduleSync: (dir: string): Argv => git(dir, 'submodule', 'sync', '--recursive', '--quiet'),
  submoduleUpdate: (dir: string): Argv => git(dir, 'submodule', 'update', '--init', '--recursive', '--force', '--quiet'),
  /** Submodules are repositories of their own: the top-level clean does not reach into them. */
  submoduleClean: (dir: string): Argv => git(dir, 'submodule', 'foreach', '--recursive', '--quiet', 'git clean -ffdxq && git reset --hard --quiet'),
  gcAuto: (dir: string): Argv => git(dir, 'gc', '--auto', '--quiet'),
  revParseHead: (dir: string): Argv => git(dir, 'rev-parse', 'HEAD'),
} as const
