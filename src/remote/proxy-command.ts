import { spawn } from 'node:child_process'
import { Duplex } from 'node:stream'
import type { SshEndpoint } from './errors.js'
import { expandTokens } from './ssh-config.js'

/** A ProxyCommand's stdio as the stream ssh2 talks over, and its stderr for errors. */
export interface ProxyStream {
  sock: Duplex
  stderr: () => string
}

/**
 * Runs a ProxyCommand (`ssh.proxy_command`, or ProxyCommand in an ssh config file) through
 * `sh -c`, as ssh does, with `%h`, `%p`, `%r` and `%n` filled in. SSH then runs over its stdin
 * and stdout; the host key is still checked against known_hosts, so the command only carries bytes.
 */
export function spawnProxyCommand(command: string, to: SshEndpoint, alias: string): ProxyStream {
  const line = expandTokens(command, { h: to.host, p: String(to.port), r: to.user, n: alias })
  const child = spawn('/bin/sh', ['-c', line], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)))
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin })
  // ssh2 ends the stream when the connection closes; the command must not outlive it.
  sock.once('close', () => child.exitCode === null && child.kill('SIGTERM'))
  child.once('error', (e) => sock.destroy(e))
  return { sock, stderr: () => stderr.trim() }
}
