import http from 'node:http'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { shellJoin, type Argv } from '../../../src/commands/argv.js'
import { tempDir } from './sh.js'

/**
 * A stand-in Docker daemon on a unix socket that records the requests the real `docker` CLI
 * sends. It lets a unit test see exactly what the CLI made of our argv and env file (the env
 * array, labels, network aliases...) without a daemon. Answers just enough for `docker run -d`.
 */
export interface FakeDockerd {
  host: string
  requests: { method: string; url: string; body: string }[]
  /** shellJoin(argv) through `sh -c`, as over SSH, with DOCKER_HOST pointing here. */
  run(argv: Argv, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }>
  close(): Promise<void>
}

export async function fakeDockerd(): Promise<FakeDockerd> {
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
    run: (argv, cwd = dir) =>
      new Promise((resolve) => {
        execFile('sh', ['-c', shellJoin(argv)], { cwd, env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: dir }, timeout: 15_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
        })
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
