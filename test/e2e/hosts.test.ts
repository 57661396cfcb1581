import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { BlockList } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { allOrThrow, fanOut, HostsFailedError } from '../../src/remote/index.js'
import { memoryLogger } from '../../src/log.js'
import { pool, testbed } from './testbed.js'

const p = pool()
const commands: string[] = []
const traced = pool({ onCommand: (_host, command) => commands.push(command) })
afterAll(async () => {
  await Promise.all([p.closeAll(), traced.closeAll()])
})
const onEveryHost = <T>(fn: (h: Awaited<ReturnType<typeof p.host>>) => Promise<T>) =>
  fanOut(testbed.hosts, memoryLogger(), async (h) => fn(await p.host(h.address, h.name))).then(allOrThrow)

describe('each host', () => {
  it('has its own Docker engine (distinct engine IDs)', async () => {
    const ids = await onEveryHost(async (host) => (await host.exec(['docker', 'info', '--format', '{{.ID}}'])).stdout.trim())
    expect(ids.every((id) => /^[A-Z0-9:]{20,}$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(testbed.hosts.length)
  })

  it('has basecamp/kamal-proxy:v0.9.2 preloaded; the testbed never runs it (a deploy boots it)', async () => {
    // The testbed is shared by every run: an earlier deploy may have booted the proxy. What the
    // testbed itself must not do is run it, so any kamal-proxy container must be a deployer's:
    // on the `kamal` network, which only a deploy creates.
    const seen = await onEveryHost(async (host) => ({
      image: (await host.exec(['docker', 'image', 'inspect', '--format', '{{.Config.Cmd}}', 'basecamp/kamal-proxy:v0.9.2'])).stdout.trim(),
      networks: (await host.exec(['sh', '-c', 'docker container inspect --format "{{json .NetworkSettings.Networks}}" kamal-proxy 2>/dev/null || echo none'])).stdout.trim(),
    }))
    for (const s of seen) {
      expect(s.image).toBe('[kamal-proxy run]')
      if (s.networks !== 'none') expect(Object.keys(JSON.parse(s.networks) as object)).toEqual(['kamal'])
    }
  })
})

describe('fan-out', () => {
  it('collects every host\'s result, prefixes output by host, and names each failure', async () => {
    const log = memoryLogger()
    // vm9 points at vm1's address on a port where nothing listens: a real connection refusal.
    const hosts = [...testbed.hosts.map((h) => ({ name: h.name, target: h.address })), { name: 'vm9', target: `${testbed.hosts[0]!.address}:2222` }]
    const outcomes = await fanOut(hosts, log, async (h, hostLog) => {
      const host = await p.host(h.target, h.name)
      const name = (await host.exec(['hostname'])).stdout.trim()
      hostLog.info(`hostname is ${name}`)
      return name
    })
    expect(outcomes.map((o) => [o.host, o.ok])).toEqual([...testbed.hosts.map((h) => [h.name, true]), ['vm9', false]])
    expect(log.lines).toContain('info: [vm1] hostname is vm1')
    expect(log.lines.some((l) => l.startsWith('error: [vm9] vm9 (root@10.213.77.11:2222): cannot connect: nothing accepts connections on port 2222'))).toBe(true)
    const err = (() => {
      try {
        allOrThrow(outcomes)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(HostsFailedError)
    expect((err as Error).message).toMatch(new RegExp(`^1 of ${hosts.length} hosts failed:\n {2}vm9: vm9 \\(root@10\\.213\\.77\\.11:2222\\): cannot connect`))
  })
})

describe('the registry', () => {
  const { server, username, password } = testbed.registry

  it('accepts the htpasswd user over TLS and refuses a wrong password (password on stdin)', async () => {
    const host = await traced.host(testbed.hosts[0]!.address, 'vm1')
    const good = await host.exec(['docker', 'login', '--username', username, '--password-stdin', server], { stdin: password })
    expect(good.code, good.stderr).toBe(0)
    expect(good.stdout).toContain('Login Succeeded')
    const bad = await host.exec(['docker', 'login', '--username', username, '--password-stdin', server], { stdin: `${password}-wrong` })
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/unauthorized|authentication required/i)
    // TLS is verified with the CA from certs.d, not skipped: the engine treats the registry as
    // secure (no insecure-registries entry names it, and no insecure CIDR covers its address).
    const info = await host.exec(['docker', 'info', '--format', '{{json .RegistryConfig}}'])
    expect(info.code, info.stderr).toBe(0)
    const registryConfig = JSON.parse(info.stdout) as { IndexConfigs: Record<string, { Secure: boolean }>; InsecureRegistryCIDRs: string[] }
    expect(registryConfig.IndexConfigs['docker.io']?.Secure, 'docker info shows the index configs').toBe(true)
    expect(registryConfig.IndexConfigs[server]?.Secure, `${server} in insecure-registries`).not.toBe(false)
    const insecure = new BlockList()
    for (const cidr of registryConfig.InsecureRegistryCIDRs) insecure.addSubnet(cidr.split('/')[0]!, Number(cidr.split('/')[1]))
    expect(insecure.check(server.split(':')[0]!), `insecure CIDRs ${registryConfig.InsecureRegistryCIDRs.join(', ')} cover ${server}`).toBe(false)
    expect((await host.exec(['test', '-s', `/etc/docker/certs.d/${server}/ca.crt`])).code).toBe(0)
    await host.exec(['docker', 'logout', server])
    expect(commands.some((c) => c.includes(password))).toBe(false)
  })

  it('takes a push from the machine\'s engine that a host then pulls', async () => {
    const tag = `${server}/e2e/pushed:${process.pid}-${Date.now()}`
    const config = mkdtempSync(join(tmpdir(), 'docker-config-'))
    const docker = (args: string[], input?: string) => execFileSync('docker', ['--config', config, ...args], { input, encoding: 'utf8' })
    docker(['login', '--username', username, '--password-stdin', server], password)
    docker(['tag', testbed.baseImage, tag])
    docker(['push', '-q', tag])
    const localId = docker(['image', 'inspect', '--format', '{{.Id}}', tag]).trim()
    docker(['rmi', tag])

    const host = await p.host(testbed.hosts[1]!.address, 'vm2')
    await host.exec(['docker', 'login', '--username', username, '--password-stdin', server], { stdin: password })
    try {
      const pulled = await host.exec(['docker', 'pull', '-q', tag])
      expect(pulled.code, pulled.stderr).toBe(0)
      expect((await host.exec(['docker', 'image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim()).toBe(localId)
      expect((await host.exec(['docker', 'run', '--rm', tag, 'busybox', 'echo', 'pulled and ran'])).stdout).toBe('pulled and ran\n')
    } finally {
      await host.exec(['docker', 'rmi', '-f', tag])
      await host.exec(['docker', 'logout', server])
    }
  })

  it('serves the base image to hosts (it was pushed, not only built locally)', async () => {
    const host = await p.host(testbed.hosts[0]!.address, 'vm1')
    await host.exec(['docker', 'login', '--username', username, '--password-stdin', server], { stdin: password })
    try {
      const r = await host.exec(['docker', 'manifest', 'inspect', testbed.baseImage])
      expect(r.code, r.stderr).toBe(0)
    } finally {
      await host.exec(['docker', 'logout', server])
    }
  })
})
