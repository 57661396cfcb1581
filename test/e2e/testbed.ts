import { readFileSync } from 'node:fs'
import { readTestbed, type Testbed } from '../testbed/testbed-json.js'
import { loadKeys, parseKnownHosts, SshPool, type KnownHosts, type SshOptions } from '../../src/remote/index.js'

export const testbed: Testbed = readTestbed()
export const knownHostsText = readFileSync(testbed.ssh.knownHostsPath, 'utf8')
export const keys = loadKeys({ paths: [testbed.ssh.keyPath] })

export const knownHostsFrom = (text: string, source = 'test known_hosts'): KnownHosts => parseKnownHosts(text, source)

/** A pool over the testbed with its real keys and known_hosts (overridable per test). */
export const pool = (options: Partial<SshOptions> = {}): SshPool =>
  new SshPool({ keys, knownHosts: testbed.ssh.knownHostsPath, user: testbed.ssh.user, connectTimeoutMs: 10_000, ...options })

/** The host keys `up` read from each host's /etc/ssh, as known_hosts lines for `address`. */
export const hostKeyLines = (address: string): string[] => knownHostsText.split('\n').filter((l) => l.startsWith(`${address} `))
