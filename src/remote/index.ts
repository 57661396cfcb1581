/** remote/: the only code that talks SSH (and the only importer of ssh2). */
export type { ExecOptions, ExecResult, RemoteHost, StreamOptions } from './host.js'
export { connect, loadKnownHosts, SshPool, type SshOptions } from './pool.js'
export { loadKeys, parsePrivateKey, type KeySources, type PrivateKey } from './keys.js'
export { fingerprint, parseKnownHosts, type KnownHosts } from './known-hosts.js'
export { scanKnownHosts, type HostScan } from './scan.js'
export { fanOut, allOrThrow, HostsFailedError, type HostOutcome } from './fan-out.js'
export { RemoteError, scanTarget } from './errors.js'
export { parseTarget } from './target.js'
