import { parseProxyList, type ProxyRouteState } from '../../../src/argv/proxy-list.js'
import type { RemoteHost } from '../../../src/remote/host.js'
import type { SshPool } from '../../../src/remote/index.js'
import { pool, testbed } from '../testbed.js'

/**
 * Reading (and, for cleanup, tidying) the testbed hosts over SSH, outside the CLI under test: what
 * a test asserts on is what the hosts really show. Everything is filtered to one service, so
 * other work on the same hosts (a colleague's tests, the demo) can't confuse a test.
 */

export type TestHost = (typeof testbed.hosts)[number]

/** Every testbed host the deploys target (all of them: 2 by default, 3 with TESTBED_HOSTS=3). */
export const hosts: readonly TestHost[] = testbed.hosts

export class HostReader {
  private readonly ssh: SshPool = pool()

  host(h: TestHost): Promise<RemoteHost> {
    return this.ssh.host(h.address, h.name)
  }

  /** Run a shell script on the host; a non-zero exit is an error showing what it printed. */
  async sh(h: TestHost, script: string, ...args: string[]): Promise<string> {
    const r = await (await this.host(h)).exec(['sh', '-c', script, 'sh', ...args], { timeoutMs: 60_000 })
    if (r.code !== 0) throw new Error(`${h.name}: \`${script}\` exited ${r.code}: ${r.stderr || r.stdout}`)
    return r.stdout
  }

  /** Every container of `service` on the host, any state, from `docker inspect` (ids, names, labels). */
  async containers(h: TestHost, service: string): Promise<Container[]> {
    const format = '{"id":{{json .Id}},"name":{{json .Name}},"state":{{json .State.Status}},"created":{{json .Created}},"labels":{{json .Config.Labels}}}'
    const out = await this.sh(h, 'ids=$(docker ps -aq --no-trunc --filter "label=service=$1"); [ -z "$ids" ] || docker inspect --format "$2" $ids', service, format)
    return out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const raw = JSON.parse(l) as { id: string; name: string; state: string; created: string; labels: Record<string, string> }
        return { ...raw, name: raw.name.replace(/^\//, ''), version: raw.labels['cutover.version'] ?? null, digest: raw.labels['cutover.digest'] ?? null }
      })
      .sort((a, b) => (a.created < b.created ? -1 : 1))
  }

  async routes(h: TestHost): Promise<ProxyRouteState[]> {
    return parseProxyList(await this.sh(h, 'docker exec kamal-proxy kamal-proxy list'))
  }

  /** The targets kamal-proxy's route `service` sends traffic to (empty when there is no route). */
  async routeTargets(h: TestHost, proxyService: string): Promise<string[]> {
    return (await this.routes(h)).find((r) => r.service === proxyService)?.targets ?? []
  }

  /** The container's PID 1 environment, byte for byte (base64 over SSH so no byte is reinterpreted). */
  async environ(h: TestHost, container: string): Promise<Map<string, Buffer>> {
    const b64 = await this.sh(h, 'docker exec "$1" cat /proc/1/environ | base64 -w0', container)
    const raw = Buffer.from(b64.trim(), 'base64')
    const vars = new Map<string, Buffer>()
    let start = 0
    for (let i = 0; i <= raw.length; i++) {
      if (i < raw.length && raw[i] !== 0) continue
      if (i > start) {
        const entry = raw.subarray(start, i)
        const eq = entry.indexOf(0x3d)
        vars.set(entry.subarray(0, eq).toString('utf8'), Buffer.from(entry.subarray(eq + 1)))
      }
      start = i + 1
    }
    return vars
  }

  /** The host's clock (seconds with a fraction), for `docker events --since/--until`. */
  async now(h: TestHost): Promise<string> {
    return (await this.sh(h, 'date +%s.%N')).trim()
  }

  async events(h: TestHost, since: string, until: string): Promise<DockerEvent[]> {
    const out = await this.sh(h, 'docker events --since "$1" --until "$2" --format "{{json .}}"', since, until)
    return out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as DockerEvent)
  }

  /**
   * Remove what a test file made for `service`, and only that: its containers, its kamal-proxy
   * route, its `.kamal` files (env files, lock, audit log) and its images on the host.
   */
  async cleanup(service: string, repository: string): Promise<void> {
    await Promise.all(
      hosts.map((h) =>
        this.sh(
          h,
          [
            'ids=$(docker ps -aq --filter "label=service=$1")',
            '[ -z "$ids" ] || docker rm -f $ids >/dev/null',
            'docker exec kamal-proxy kamal-proxy remove "$1-web" >/dev/null 2>&1 || true',
            'rm -rf ".kamal/apps/$1" ".kamal/lock-$1" ".kamal/$1-audit.log"',
            'imgs=$(docker image ls --format "{{.Repository}}:{{.Tag}}" "$2")',
            '[ -z "$imgs" ] || docker image rm $imgs >/dev/null 2>&1 || true',
          ].join('\n'),
          service,
          repository,
        ),
      ),
    )
  }

  close(): Promise<void> {
    return this.ssh.closeAll()
  }
}

export interface Container {
  id: string
  name: string
  state: string
  created: string
  labels: Record<string, string>
  version: string | null
  digest: string | null
}

export interface DockerEvent {
  Type: string
  Action: string
  status?: string
  id?: string
  from?: string
  Actor: { ID: string; Attributes: Record<string, string> }
  timeNano: number
}
