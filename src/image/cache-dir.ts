import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where cutover keeps build clones and local build caches: outside any repository, and stable
 * between runs. In a GitHub Actions job, under RUNNER_TEMP (a fixed path per runner, which the
 * @actions/cache key for `type: local` relies on); on a workstation, the XDG cache directory.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env, home: string = homedir()): string {
  if (env['CUTOVER_CACHE_DIR']) return env['CUTOVER_CACHE_DIR']
  if (env['GITHUB_ACTIONS'] === 'true' && env['RUNNER_TEMP']) return join(env['RUNNER_TEMP'], 'cutover')
  return join(env['XDG_CACHE_HOME'] || join(home, '.cache'), 'cutover')
}
