import { describe, expect, it } from 'vitest'
import { FETCH_FAILED_EXIT } from '../../../src/argv/bootstrap.js'
import { bootstrapServers } from '../../../src/engine/bootstrap.js'
import type { LockRequest } from '../../../src/engine/lock.js'
import { memoryLogger } from '../../../src/log.js'
import { FakeRemoteHost } from '../helpers/fake-remote-host.js'

const URL = 'http://10.0.0.5/install.sh'
const probe = (o: Record<string, string>) => ({ stdout: Object.entries({ docker: 'no', daemon: 'no', uid: '0', user: 'root', group: 'no', sudo: 'no', curl: 'no', wget: 'yes', ...o }).map(([k, v]) => `${k}=${v}`).join('\n') })
const isProbe = (argv: readonly string[]) => argv[0] === 'sh' && argv[2]?.includes('command -v docker') === true && argv.length === 3
const isInstall = (argv: readonly string[]) => argv.includes('cutover-install-docker')
const lock: LockRequest = { host: 'vm1', app: { service: 'app', destination: null }, details: { lockedBy: 'me', at: '2026-01-01T00:00:00Z', version: '-', message: 'Bootstrapping servers' } }

async function run(hosts: FakeRemoteHost[]) {
  const fired: string[] = []
  const logger = memoryLogger()
  const byName = new Map(hosts.map((h) => [h.name, h]))
  const result = await bootstrapServers(
    hosts.map((h) => h.name),
    URL,
    lock,
    {
      pool: { host: async (n) => byName.get(n)!, redact: (s) => s },
      logger,
      dockerSetup: async () => {
        // Fired under the lock: the lock's release has not been sent yet.
        const lines = hosts[0]!.lines()
        fired.push(`docker-setup (lock taken: ${lines.some((l) => l.includes('.kamal/lock-app'))}, released: ${lines.some((l) => l.startsWith('rm -rf -- .kamal/lock-app'))})`)
      },
    },
  )
  return { result, fired, logger }
}

describe('bootstrapServers (fake hosts)', () => {
  it('a host with Docker is untouched (no install sent); one without gets it via wget; docker-setup fires once under the lock', async () => {
    const vm1 = new FakeRemoteHost('vm1').on(isProbe, probe({ docker: 'yes', daemon: 'yes', curl: 'yes' }))
    const bare = new FakeRemoteHost('bare').on(isProbe, probe({}), probe({ docker: 'yes', daemon: 'yes' })).on(isInstall, { stdout: 'fetched-with=wget\n' })
    const { result, fired } = await run([vm1, bare])
    expect(result.hosts.map((h) => [h.host, h.action, h.fetchedWith])).toEqual([
      ['vm1', 'untouched', undefined],
      ['bare', 'installed', 'wget'],
    ])
    expect(vm1.sent.some((s) => isInstall(s.argv))).toBe(false)
    expect(bare.sent.filter((s) => isInstall(s.argv)).map((s) => s.argv.at(-1))).toEqual([URL])
    expect(result.dockerSetup).toBe('fired')
    expect(fired).toEqual(['docker-setup (lock taken: true, released: false)'])
  })

  it.each([
    ['neither curl nor wget', probe({ wget: 'no' }), undefined, /^bare: Docker is not installed, and neither curl nor wget is there to fetch http:\/\/10\.0\.0\.5\/install\.sh/],
    ['the fetch fails', probe({}), { code: FETCH_FAILED_EXIT, stderr: 'could not fetch x with curl or wget' }, /^bare: could not fetch the Docker install script http:\/\/10\.0\.0\.5\/install\.sh with curl or wget/],
    ['the script fails', probe({}), { code: 5, stderr: 'E: apt broke' }, /^bare: the Docker install script http:\/\/10\.0\.0\.5\/install\.sh failed with exit code 5; its last output:\nE: apt broke/],
    ['non-root, not in the docker group', probe({ docker: 'yes', uid: '1000', user: 'deploy' }), undefined, /^bare: Docker is installed but deploy may not use it .*`sudo usermod -aG docker deploy`, then reconnect/],
  ])('%s: the run fails naming the host, docker-setup does not fire', async (_what, seen, install, message) => {
    const bare = new FakeRemoteHost('bare').on(isProbe, seen)
    if (install) bare.on(isInstall, install)
    const vm1 = new FakeRemoteHost('vm1').on(isProbe, probe({ docker: 'yes', daemon: 'yes' }))
    const { result, fired } = await run([vm1, bare])
    expect(result.ok).toBe(false)
    expect(result.hosts.find((h) => h.host === 'bare')!.error).toMatch(message)
    expect(result.hosts.find((h) => h.host === 'vm1')!.action).toBe('untouched')
    expect([result.dockerSetup, fired]).toEqual(['not-fired', []])
  })

  it('installed, but the user may not use Docker afterwards: the exact fix', async () => {
    const bare = new FakeRemoteHost('bare').on(isProbe, probe({ uid: '1000', user: 'deploy', sudo: 'yes' }), probe({ docker: 'yes', uid: '1000', user: 'deploy', sudo: 'yes' })).on(isInstall, { stdout: 'fetched-with=wget\n' })
    const { result } = await run([new FakeRemoteHost('vm1').on(isProbe, probe({ docker: 'yes', daemon: 'yes' })), bare])
    expect(result.hosts[1]!.error).toBe('bare: Docker is installed now, but deploy may not use it (not root, not in the docker group); add deploy to the docker group: `sudo usermod -aG docker deploy`, then reconnect (a new SSH login picks up the group) and run this again')
  })

  it('the script exits 0 but leaves no docker: a failure, not "installed"', async () => {
    const bare = new FakeRemoteHost('bare').on(isProbe, probe({})).on(isInstall, { stdout: 'fetched-with=wget\n' })
    const { result } = await run([new FakeRemoteHost('vm1').on(isProbe, probe({ docker: 'yes', daemon: 'yes' })), bare])
    expect(result.hosts[1]!.error).toMatch(/^bare: the install script .* exited 0 but no docker command is there afterwards$/)
  })
})
