import { z } from 'zod'
import { byKind, type KamalOnlyKeys, section } from './section.js'
import { bool, leaf, listOf, nonEmptyText, oneOf, port, serverHostProblem } from './values.js'

const USER = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/
const user = leaf<string>('a user name on the hosts, e.g. deploy', (v) =>
  typeof v === 'string' && USER.test(v) ? { ok: true, value: v } : { ok: false, message: typeof v === 'string' ? `${JSON.stringify(v)} is not a user name` : 'is not a string' },
)

/** A jump host, `[user@]host[:port]`, as Kamal's `ssh/proxy`. */
export interface JumpHost {
  user: string
  host: string
  port: number
}
const jumpHost = leaf<JumpHost>('a jump host as host, user@host or user@host:port', (v) => {
  if (typeof v !== 'string') return { ok: false, message: v === undefined ? 'is missing' : 'is not a string' }
  const at = v.lastIndexOf('@')
  const u = at >= 0 ? v.slice(0, at) : 'root'
  const rest = at >= 0 ? v.slice(at + 1) : v
  if (!USER.test(u)) return { ok: false, message: `${JSON.stringify(u)} is not a user name` }
  const problem = serverHostProblem(rest)
  if (problem) return { ok: false, message: `${JSON.stringify(rest)} ${problem}` }
  const m = /^(?:\[(.+)\]|([^:]+))(?::(\d+))?$/.exec(rest)
  // Kamal's default jump user is root, like its default ssh user.
  return { ok: true, value: { user: u, host: m?.[1] ?? m?.[2] ?? rest, port: m?.[3] ? Number(m[3]) : 22 } }
})

export const SSH_KAMAL_ONLY = {
  forward_agent: { schema: bool(), note: 'cutover never forwards an SSH agent' },
} satisfies KamalOnlyKeys

export const sshSchema = section(
  {
    user: user.optional(),
    port: port().optional(),
    keys: listOf(nonEmptyText('a path to a private key file'), 'a list of private key files').optional(),
    key_data: listOf(nonEmptyText('a secret name holding a private key'), 'a list of secret names holding private keys').optional(),
    proxy: jumpHost.optional(),
    /** Run through sh, its stdio carrying SSH (`%h`, `%p`, `%r` filled in); ssh/proxy wins over it, as in Kamal. */
    proxy_command: nonEmptyText('a command, e.g. "ssh -W %h:%p bastion"').optional(),
    /** Offer only the key files, never the ssh-agent's keys. */
    keys_only: bool().optional(),
    /** OpenSSH config files: true (default: ~/.ssh/config and /etc/ssh/ssh_config), false, a path or a list. */
    config: byKind({ boolean: bool(), string: nonEmptyText('a path to an ssh config file'), list: listOf(nonEmptyText('a path to an ssh config file'), 'a list of paths') }, 'true, false, a path or a list of paths').optional(),
    log_level: oneOf(['debug', 'info', 'warn', 'error', 'fatal'] as const).optional(),
  },
  {
    expected: 'a map with user, port, keys, key_data, keys_only, proxy, proxy_command, config and log_level',
    kamalOnly: SSH_KAMAL_ONLY,
  },
)
export type SshInput = z.output<typeof sshSchema>
