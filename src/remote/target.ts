import { RemoteError } from './errors.js'

export interface SshTarget {
  user?: string
  host: string
  port?: number
}

/**
 * Reads `[user@]host[:port]`, with IPv6 as `[::1]:2222` (a bare IPv6 address has no port).
 * Used for hosts (`10.0.0.5:2222`) and for `ssh.proxy` (`root@bastion:2222`).
 */
export function parseTarget(text: string, what = 'host'): SshTarget {
  const bad = (why: string) => new RemoteError(`${what} "${text}" is not [user@]host[:port]: ${why}`)
  const at = text.lastIndexOf('@')
  const user = at >= 0 ? text.slice(0, at) : undefined
  const rest = at >= 0 ? text.slice(at + 1) : text
  if (user === '') throw bad('the user before @ is empty')
  let host = rest
  let portText: string | undefined
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest)
  if (bracketed) {
    host = bracketed[1]!
    portText = bracketed[2]
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    ;[host, portText] = rest.split(':') as [string, string]
  }
  if (!host || /\s/.test(host)) throw bad('no host name')
  let port: number | undefined
  if (portText !== undefined) {
    port = Number(portText)
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw bad(`port "${portText}" is not a number from 1 to 65535`)
  }
  return { ...(user ? { user } : {}), host, ...(port ? { port } : {}) }
}
