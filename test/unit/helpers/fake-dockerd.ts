import http from 'node:http'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { shellJoin, type Argv } from '../../../src/argv/shell-join.js'
import { tempDir } from './sh.js'

/**
 * A stand-in Docker daemon on a unix socket that records the requests the real `docker` CLI
 * sends. It lets a unit test see exactly what the CLI made of our argv and env file (the env
 * array, labels, network aliases...) without a daemon. Answers just enough for `docker run -d`,
 * plus whatever `answer` cans (e.g. inspect and image listings, to run our templates).
 */
export interface FakeDockerd {
  host: string
  requests: { method: string; url: string; body: string }[]
  /** shellJoin(argv) through `sh -c`, as over SSH, with DOCKER_HOST pointing here. */
  run(argv: Argv, cwd?: string, env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }>
  close(): Promise<void>
}

/** A canned answer for a request (path without the `/v1.xx` prefix), or undefined for the defaults. */
export type Answer = (method: string, path: string) => { status: number; body: unknown } | undefined

export async function fakeDockerd(answer?: Answer): Promise<FakeDockerd> {
  const dir = tempDir('dockerd')
  const sock = join(dir, 'docker.sock')
  const requests: FakeDockerd['requests'] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body })
      res.setHeader('Api-Version', '1.41')
      res.setHeader('Content-Type', 'application/json')
      if (req.url?.endsWith('/_ping')) return void res.end('OK')
      const canned = answer?.(req.method ?? '', (req.url ?? '').replace(/^\/v[\d.]+/, ''))
      if (canned) {
        res.statusCode = canned.status
        return void res.end(JSON.stringify(canned.body))
      }
      if (req.url?.includes('/containers/create')) {
        res.statusCode = 201
        return void res.end(JSON.stringify({ Id: 'f'.repeat(64), Warnings: [] }))
      }
      if (req.url?.endsWith('/start')) {
        res.statusCode = 204
        return void res.end()
      }
      res.end(JSON.stringify({ StatusCode: 0 }))
    })
  })
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  const host = `unix://${sock}`
  return {
    host,
    requests,
    run: (argv, cwd = dir, env = process.env) =>
      new Promise((resolve) => {
        execFile('sh', ['-c', shellJoin(argv)], { cwd, env: { ...env, DOCKER_HOST: host, DOCKER_CONFIG: dir }, timeout: 15_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
        })
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
