/**
 * The testbed as the Action's e2e tests look at it: requests through each host's kamal-proxy
 * with a Host header, its routes, the bundled CLI for set-up and clean-up, and removing what a
 * test's service left behind.
 */
import { spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { parseProxyList } from '../../src/argv/proxy-list.js'
import * as proxyCommands from '../../src/argv/proxy.js'
import { APP_SECRET, CLI, registryPassword, type AppRepo } from './action-harness.js'
import { pool, testbed } from './testbed.js'

/**
 * GET `path` through kamal-proxy on testbed host `vm` (port 80, published on loopback), for the
 * proxy host `host`: the Host header picks the route. Node's fetch does not let a caller set
 * Host, so this is node:http.
 */
export function viaProxy(vm: number, host: string, path: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  const url = new URL(testbed.hosts[vm]!.httpUrl)
  return new Promise((res, rej) => {
    const req = httpRequest({ host: url.hostname, port: Number(url.port), path, headers: { host }, timeout: timeoutMs }, (r) => {
      let body = ''
      r.setEncoding('utf8')
      r.on('data', (c: string) => (body += c))
      r.on('end', () => res({ status: r.statusCode ?? 0, body }))
      r.on('error', rej)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host}${path} (Host: ${host}) within ${timeoutMs} ms`)))
    req.on('error', rej)
    req.end()
  })
}

/** `/version` as each testbed host's proxy serves it for `host` (the body trimmed, or the HTTP status). */
export async function versions(host: string): Promise<string[]> {
  return Promise.all(
    testbed.hosts.slice(0, 2).map(async (_, i) => {
      const r = await viaProxy(i, host, '/version')
      return r.status === 200 ? r.body.trim() : `HTTP ${r.status}`
    }),
  )
}

/**
 * Runs the bundled CLI in the app's directory with the testbed's key, known_hosts and registry
 * password. The CLI is SIGKILLed after `timeoutMs` (every run here is bounded); it then ends with
 * code null and that signal, which fails any test expecting an exit code.
 */
export function cli(app: AppRepo, args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args, '--known-hosts', testbed.ssh.knownHostsPath, '--ssh-key', testbed.ssh.keyPath], {
    cwd: app.dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KAMAL_REGISTRY_PASSWORD: registryPassword, APP_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      res({ code, signal, stdout, stderr })
    }),
  )
}

/** kamal-proxy's routes on each of the first two testbed hosts: service name → its host names. */
export async function proxyRoutes(): Promise<Map<string, string[]>[]> {
  const p = pool()
  try {
    return await Promise.all(
      testbed.hosts.slice(0, 2).map(async (h) => {
        const host = await p.host(`${h.address}:${h.sshPort}`, h.name)
        const r = await host.exec(proxyCommands.list(), { timeoutMs: 30_000 })
        if (r.code !== 0) throw new Error(`${h.name}: kamal-proxy list failed: ${r.stderr}`)
        return new Map(parseProxyList(r.stdout).map((route) => [route.service, route.hosts]))
      }),
    )
  } finally {
    await p.closeAll()
  }
}

/**
 * After `remove`: the audit logs a test's service (and its previews) left in `.kamal/` on each
 * host. `cutover remove`, like `kamal remove`, keeps them; a test run leaves none behind.
 */
export async function removeAuditLogs(service: string): Promise<void> {
  const p = pool()
  try {
    await Promise.all(
      testbed.hosts.slice(0, 2).map(async (h) => {
        const host = await p.host(`${h.address}:${h.sshPort}`, h.name)
        await host.exec(['sh', '-c', 'rm -f -- .kamal/"$1"-audit.log .kamal/"$1"-pr-*-audit.log', 'sh', service])
      }),
    )
  } finally {
    await p.closeAll()
  }
}
