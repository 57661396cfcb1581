import type { Argv } from '../argv/shell-join.js'
import { gitArgv } from '../argv/git.js'
import { execLocal, type LocalExec } from '../local-exec.js'

/**
 * One interface for git, in the actions/checkout style: every call builds an argv (from
 * argv/git.ts) and goes through one exec function. `tryX` returns false and never throws;
 * `x` throws an Error that says what failed and where (the command, the directory and git's own words).
 */
export interface Git {
  /** Top of the work tree holding `dir`. Throws outside a repository. */
  toplevel(dir: string): Promise<string>
  tryToplevel(dir: string): Promise<string | false>
  /** Full sha of `ref` in the repository at `dir`. Throws naming the ref when it is no commit. */
  resolveCommit(dir: string, ref: string): Promise<string>
  /** Porcelain status lines (untracked files included), '' when clean. */
  status(dir: string, options?: { ignored?: boolean }): Promise<string>
  clone(source: string, dest: string): Promise<void>
  setOriginUrl(dir: string, url: string): Promise<void>
  fetchCommit(dir: string, sha: string): Promise<void>
  resetHard(dir: string, sha: string): Promise<void>
  clean(dir: string): Promise<void>
  updateSubmodules(dir: string): Promise<void>
  /** Housekeeping only; never fails the build. */
  tryGcAuto(dir: string): Promise<boolean>
  head(dir: string): Promise<string>
}

export interface GitOptions {
  exec?: LocalExec
  /**
   * Extra environment for every git process. Tests use it to allow file:// submodules
   * (git ≥ 2.38.1 refuses them by default); production code does not.
   */
  env?: Readonly<Record<string, string>>
  timeoutMs?: number
}

export function createGit(options: GitOptions = {}): Git {
  const exec = options.exec ?? execLocal
  // Never prompt for credentials: a build must fail with a message, not hang on a tty.
  const env = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', ...options.env }
  const timeoutMs = options.timeoutMs ?? 10 * 60_000

  async function run(argv: Argv, what: string, extraEnv?: Record<string, string>): Promise<string> {
    const result = await exec(argv, { env: { ...env, ...extraEnv }, timeoutMs })
    if (result.code !== 0) {
      const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n  ')
      throw new Error(`git could not ${what}: \`${argv.join(' ')}\` exited ${result.code}${said ? `:\n  ${said}` : ''}`)
    }
    return result.stdout
  }
  const tryRun = async (argv: Argv, extraEnv?: Record<string, string>): Promise<string | false> => {
    try {
      const result = await exec(argv, { env: { ...env, ...extraEnv }, timeoutMs })
      return result.code === 0 ? result.stdout : false
    } catch {
      return false
    }
  }

  return {
    toplevel: async (dir) => (await run(gitArgv.showToplevel(dir), `find the repository holding ${dir}`)).trim(),
    tryToplevel: async (dir) => {
      const out = await tryRun(gitArgv.showToplevel(dir))
      return out === false ? false : out.trim()
    },
    resolveCommit: async (dir, ref) => {
      const out = await tryRun(gitArgv.resolveCommit(dir, ref))
      if (out === false) throw new Error(`'${ref}' names no commit in the repository at ${dir}. Check the ref (a branch, tag or sha that exists locally; run \`git fetch\` first if it is only on the remote).`)
      return out.trim()
    },
    status: async (dir, opts) => (await run(gitArgv.status(dir, opts), `read the status of ${dir}`)).trimEnd(),
    clone: async (source, dest) => void (await run(gitArgv.clone(source, dest), `clone ${source} into ${dest}`)),
    setOriginUrl: async (dir, url) => void (await run(gitArgv.setOriginUrl(dir, url), `point origin of ${dir} at ${url}`)),
    fetchCommit: async (dir, sha) => void (await run(gitArgv.fetchCommit(dir, sha), `fetch commit ${sha} into ${dir}`)),
    resetHard: async (dir, sha) => void (await run(gitArgv.resetHard(dir, sha), `reset ${dir} to ${sha}`)),
    clean: async (dir) => void (await run(gitArgv.clean(dir), `remove untracked and ignored files from ${dir}`)),
    updateSubmodules: async (dir) => {
      await run(gitArgv.submoduleSync(dir), `sync submodule URLs in ${dir}`)
      await run(gitArgv.submoduleUpdate(dir), `update submodules in ${dir}`)
      await run(gitArgv.submoduleClean(dir), `clean submodules in ${dir}`)
    },
    tryGcAuto: async (dir) => (await tryRun(gitArgv.gcAuto(dir))) !== false,
    head: async (dir) => (await run(gitArgv.revParseHead(dir), `read HEAD of ${dir}`)).trim(),
  }
}
