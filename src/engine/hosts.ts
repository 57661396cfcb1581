import type { RemoteHost } from '../remote/host.js'

/** Where the engine gets a host's connection: remote's SshPool (one connection per host, reused). */
export interface Hosts {
  host(target: string): Promise<RemoteHost>
  /** Takes secret values out of text shown to users (a remote's stderr in an error); a Session has it. */
  redact?: (text: string) => string
}
