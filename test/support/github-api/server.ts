import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { githubOpenApi, type GitHubOpenApi, type OperationMatch } from './openapi.js'

/** A request as a route handler sees it, already checked against GitHub's description. */
export interface ApiRequest {
  method: string
  url: URL
  template: string
  operationId: string
  params: Record<string, string>
  query: URLSearchParams
  headers: Record<string, string | undefined>
  body: unknown
}

export interface ApiReply {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

export type Handler = (req: ApiRequest) => ApiReply | Promise<ApiReply>

/**
 * What the server answers, as data: `'METHOD /path/template'` exactly as GitHub's description
 * spells it → handler. Validation finds the operation from the key, so a new endpoint is one
 * more entry and no new validation code.
 */
export type Routes = Record<string, Handler>

export interface Exchange {
  method: string
  path: string
  route: string | undefined
  status: number
  /** Wall-clock ms (Date.now, not the fake clock) when the request arrived: e2e tests order it against log lines. */
  receivedAt: number
}

export interface GitHubApiServer {
  /** Base URL, use as GITHUB_API_URL: `http://127.0.0.1:<port>[basePath]`. */
  readonly url: string
  readonly exchanges: Exchange[]
  /** Every request or response that broke GitHub's description. Non-empty fails `close()`. */
  readonly violations: string[]
  /** Requests that cost rate-limit quota (GitHub does not charge 304s). */
  readonly quotaUsed: () => number
  /** Answer the next `times` requests of `route` (a route key, or `*`) with `reply` instead of the handler. Still validated. */
  inject(route: string, reply: ApiReply | ((req: ApiRequest) => ApiReply), times?: number): void
  /** Stops the server; rejects listing the violations if there were any. */
  close(): Promise<void>
}

export interface StartOptions {
  routes: Routes
  /** When set, requests must carry it (`Bearer` or `token`), else 401 as GitHub answers. */
  token?: string
  /** Time for rate-limit headers; the tests' fake clock. */
  now?: () => number
  openapi?: GitHubOpenApi
  /** Serve under a prefix, as GitHub Enterprise Server does (`/api/v3`). */
  basePath?: string
}

const RATE_LIMIT = 5000
/** Marks answers the harness makes up itself (not GitHub's), which are therefore not validated. */
const HARNESS = 'x-test-harness'

export async function startGitHubApi(options: StartOptions): Promise<GitHubApiServer> {
  const api = options.openapi ?? githubOpenApi()
  const now = options.now ?? Date.now
  const routes = new Map(Object.entries(options.routes).map(([key, handler]) => [routeKey(api, key), handler] as const))
  const injected: { route: string; reply: ApiReply | ((req: ApiRequest) => ApiReply); left: number }[] = []
  const exchanges: Exchange[] = []
  const violations: string[] = []
  let quota = 0

  async function answer(req: IncomingMessage, rawBody: string, url: URL): Promise<{ reply: ApiReply; route?: string; op?: OperationMatch }> {
    const method = (req.method ?? 'GET').toUpperCase()
    const headers = flatHeaders(req)
    const prefix = options.basePath ?? ''
    if (!url.pathname.startsWith(`${prefix}/`)) {
      violations.push(`request ${method} ${url.pathname}: outside the API base path ${prefix}`)
      return { reply: harness(404, `outside ${prefix}`) }
    }
    const op = api.match(method, url.pathname.slice(prefix.length))
    if ('error' in op) {
      violations.push(`request ${method} ${url.pathname}: ${op.error}`)
      return { reply: harness(404, op.error) }
    }
    const route = `${op.method} ${op.template}`
    const problems = api.validateRequest(op, url.searchParams, headers, rawBody)
    // GitHub refuses requests without a User-Agent.
    if (!headers['user-agent']) problems.push(`${route}: request has no User-Agent header`)
    if (problems.length) {
      violations.push(...problems)
      return { reply: harness(400, problems.join('\n')), route, op }
    }
    if (options.token !== undefined && !authorized(headers.authorization, options.token)) {
      return { reply: { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } }, route, op }
    }
    const request: ApiRequest = {
      method, url, template: op.template, operationId: op.operationId, params: op.pathParams, query: url.searchParams, headers,
      body: rawBody ? JSON.parse(rawBody) : undefined,
    }
    const fault = injected.find((f) => f.left > 0 && (f.route === '*' || f.route === route))
    if (fault) {
      fault.left--
      return { reply: typeof fault.reply === 'function' ? fault.reply(request) : fault.reply, route, op }
    }
    const handler = routes.get(route)
    if (!handler) {
      violations.push(`${route} (${op.operationId}) is real GitHub API but this test server has no route for it`)
      return { reply: harness(501, `no route for ${route}`), route, op }
    }
    return { reply: await handler(request), route, op }
  }

  const server = createServer((req, res) => {
    const receivedAt = Date.now()
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base)
      answer(req, Buffer.concat(chunks).toString('utf8'), url)
        .then(({ reply, route, op }) => {
          let out = render(reply, now)
          if (out.status === 200 && req.method === 'GET' && out.body) {
            const etag = `W/"${createHash('sha256').update(out.body).digest('hex').slice(0, 32)}"`
            out.headers.etag = etag
            if (req.headers['if-none-match'] === etag) {
              const { 'content-type': _, ...headers } = out.headers
              out = { status: 304, headers, body: '' }
            }
          }
          if (op && !out.headers[HARNESS]) {
            const problems = api.validateResponse(op, out.status, out.headers, out.body)
            if (problems.length) {
              // Never let a drifted answer reach the client: it could make a wrong test pass.
              violations.push(...problems)
              out = render(harness(500, problems.join('\n')), now)
            }
          }
          // GitHub charges authenticated requests, except 304s.
          if (out.status !== 304 && out.status !== 401 && !out.headers[HARNESS]) quota++
          exchanges.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, route, status: out.status, receivedAt })
          res.writeHead(out.status, out.headers).end(out.body)
        })
        .catch((err: unknown) => {
          violations.push(`handler for ${req.method} ${url.pathname} threw: ${err instanceof Error ? err.stack : String(err)}`)
          res.writeHead(500, { [HARNESS]: '1' }).end('handler threw')
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: `${base}${options.basePath ?? ''}`,
    exchanges,
    violations,
    quotaUsed: () => quota,
    inject(route, reply, times = 1) {
      injected.push({ route: route === '*' ? '*' : routeKey(api, route), reply, left: times })
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (violations.length) {
        throw new Error(`the GitHub API test server saw ${violations.length} violation(s) of GitHub's OpenAPI description:\n${violations.join('\n')}`)
      }
    },
  }
}

/** Checks a route key against the description, and spells it the one way `answer` does. */
function routeKey(api: GitHubOpenApi, key: string): string {
  const m = /^([A-Za-z]+)\s+(\/\S*)$/.exec(key.trim())
  if (!m?.[1] || !m[2]) throw new Error(`route key "${key}" must look like "GET /repos/{owner}/{repo}/..."`)
  const op = api.operation(m[1], m[2])
  return `${op.method} ${op.template}`
}

function render(reply: ApiReply, now: () => number): { status: number; headers: Record<string, string>; body: string } {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body)
  const resetS = Math.floor(now() / 1000) + 3600
  return {
    status: reply.status,
    headers: {
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(RATE_LIMIT - 1),
      'x-ratelimit-reset': String(resetS),
      'x-ratelimit-resource': 'core',
      ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...reply.headers,
    },
    body,
  }
}

function harness(status: number, message: string): ApiReply {
  return { status, headers: { [HARNESS]: '1' }, body: { message: `test server: ${message}` } }
}

function authorized(header: string | undefined, token: string): boolean {
  return header === `Bearer ${token}` || header === `token ${token}`
}

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}
