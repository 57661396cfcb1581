import { readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import SSHConfig from 'ssh-config'
import { RemoteError } from './errors.js'

/**
 * OpenSSH client config files (`ssh.config`), read the way Kamal's net-ssh reads them: `true`
 * means the user's `~/.ssh/config` then the system's `/etc/ssh/ssh_config` (either may be
 * missing), a path or a list names the files (each must exist). Parsing and `Host` matching are
 * the `ssh-config` package's; what cutover takes from a host's block is below.
 */
export type SshConfigSetting = boolean | string | readonly string[]

export interface SshConfigFile {
  path: string
  text: string
}

/** What a `Host` block says about one host, after token expansion. */
export interface HostSettings {
  hostName?: string
  user?: string
  port?: number
  identityFiles: string[]
  proxyJump?: string
  proxyCommand?: string
}

export function readSshConfigFiles(setting: SshConfigSetting | undefined, home: string, cwd = process.cwd()): SshConfigFile[] {
  if (setting === false) return []
  if (setting === undefined || setting === true) {
    return [join(home, '.ssh', 'config'), '/etc/ssh/ssh_config'].flatMap((path) => {
      try {
        return [{ path, text: readFileSync(path, 'utf8') }]
      } catch {
        return [] // neither file has to exist, as with ssh itself
      }
    })
  }
  return (typeof setting === 'string' ? [setting] : setting).map((given) => {
    const path = expandHome(given, home, cwd)
    try {
      return { path, text: readFileSync(path, 'utf8') }
    } catch (e) {
      throw new RemoteError(`ssh/config: cannot read ${given} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): fix the path, or set ssh/config to true (the default files) or false`)
    }
  })
}

const PROXY_KEYS = ['proxyjump', 'proxycommand']

export class SshConfigs {
  private readonly parsed: { path: string; config: SSHConfig }[]

  constructor(
    files: readonly SshConfigFile[],
    private readonly home: string,
  ) {
    this.parsed = files.map((f) => {
      try {
        return { path: f.path, config: SSHConfig.parse(f.text) }
      } catch (e) {
        throw new RemoteError(`ssh config file ${f.path}: cannot parse it (${(e as Error).message}); fix it, or set ssh/config to false`)
      }
    })
  }

  /**
   * The settings for `alias`. Across files and blocks the first value given wins, as in ssh
   * (IdentityFile accumulates). `Match exec` is never run: the files of a CI runner are not
   * cutover's to execute.
   */
  resolve(alias: string, localUser: string): HostSettings {
    const first: Record<string, string> = {}
    const identityFiles: string[] = []
    for (const { config } of this.parsed) {
      const computed = config.compute(alias, { ignoreCase: true, matchExec: false })
      for (const [key, value] of Object.entries(computed)) {
        if (key === 'identityfile') identityFiles.push(...(Array.isArray(value) ? value : [value]))
        // ProxyJump and ProxyCommand exclude each other: whichever ssh meets first wins.
        else if (PROXY_KEYS.includes(key) && PROXY_KEYS.some((k) => k in first)) continue
        else if (!(key in first) && typeof value === 'string') first[key] = value
      }
    }
    const port = first.port !== undefined ? Number(first.port) : undefined
    const hostName = first.hostname !== undefined ? expandTokens(first.hostname, { h: alias, n: alias }) : undefined
    const tokens = { h: hostName ?? alias, n: alias, d: this.home, u: localUser, r: first.user ?? '' }
    return {
      ...(hostName ? { hostName } : {}),
      ...(first.user ? { user: first.user } : {}),
      ...(port !== undefined && Number.isInteger(port) && port > 0 && port < 65536 ? { port } : {}),
      identityFiles: identityFiles.map((f) => expandHome(expandTokens(f, tokens), this.home, this.home)),
      // `none` switches a proxy off for a host that a broader block gave one.
      ...(first.proxyjump && first.proxyjump.toLowerCase() !== 'none' ? { proxyJump: first.proxyjump } : {}),
      ...(first.proxycommand && first.proxycommand.toLowerCase() !== 'none' ? { proxyCommand: first.proxycommand } : {}),
    }
  }
}

/** ssh's `%` tokens: `%%` is a literal percent; unknown tokens stay as written. */
export function expandTokens(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/%(.)/g, (whole, c: string) => (c === '%' ? '%' : (values[c] ?? whole)))
}

function expandHome(path: string, home: string, base: string): string {
  if (path === '~') return home
  if (path.startsWith('~/')) return join(home, path.slice(2))
  return isAbsolute(path) ? path : resolve(base, path)
}
