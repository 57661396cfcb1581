import { createHash } from 'node:crypto'
import { randomBytes } from 'node:crypto'
import * as http from 'node:http'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'

/**
 * A small Docker registry (distribution API v2) on 127.0.0.1 for tests: manifest HEAD/GET,
 * with no auth, Basic auth, or the Bearer token flow (its own token endpoint, as Docker Hub
 * and GHCR do). It serves a manifest only when the request's Accept allows its media type,
 * as real registries do, and records every request.
 */
export interface FakeRegistryOptions {
  auth: 'none' | 'basic' | 'bearer'
  users?: Record<string, string>
  /** "repo:tag" → media type of the stored manifest. */
  manifests?: Record<string, string>
  /** Repositories the (authenticated) users may not read: 403. */
  forbidden?: string[]
  tls?: { key: string; cert: string }
  /** A token realm to announce instead of this server's own /token (e.g. plain http). */
  realmOverride?: string
  /** Behave like a sloppy server that echoes the rejected credentials in its error body. */
  echoCredentials?: boolean
}

export interface RecordedRequest {
  method: string
  path: string
  authorization?: string
  accept?: string
}

export interface FakeRegistry {
  host: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

const SERVICE = 'fake-registry'

export async function startFakeRegistry(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const requests: RecordedRequest[] = []
  const tokens = new Map<string, string>() // token → scope it grants
  const users = options.users ?? {}
  const manifests = options.manifests ?? {}
  let origin = ''

  const basicUser = (header: string | undefined): string | undefined => {
    const m = /^Basic (.+)$/.exec(header ?? '')
    if (!m?.[1]) return undefined
    const decoded = Buffer.from(m[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const [user, pass] = [decoded.slice(0, colon), decoded.slice(colon + 1)]
    return colon > 0 && users[user] === pass ? user : undefined
  }
  const sendError = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
    res.end(JSON.stringify({ errors: [{ code, message }] }))
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', origin)
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization, accept: req.headers.accept })

    if (url.pathname === '/token') {
      const user = basicUser(req.headers.authorization)
      if (req.headers.authorization && !user) {
        const tried = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8')
        return sendError(res, 401, 'UNAUTHORIZED', options.echoCredentials ? `incorrect username or password: ${tried}` : 'incorrect username or password')
      }
      if (url.searchParams.get('service') !== SERVICE) return sendError(res, 400, 'INVALID', 'unknown service')
      const token = randomBytes(16).toString('hex')
      // Anonymous callers get a token, but one that grants nothing (as Docker Hub does).
      tokens.set(token, user ? (url.searchParams.get('scope') ?? '') : '')
      res.writeHead(200, { 'Content-Type': 'application/json' })
      return res.end(JSON.stringify({ token, expires_in: 300 }))
    }

    // GET /v2/ is the "ping" docker login sends: same auth as the API, no repository scope.
    const ping = url.pathname === '/v2/'
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname)
    if (!ping && (!m?.[1] || !m[2])) return sendError(res, 404, 'NOT_FOUND', 'no route')
    const [repo, tag] = ping ? ['', ''] : [m![1]!, decodeURIComponent(m![2]!)]

    if (options.auth === 'basic' && !basicUser(req.headers.authorization)) {
      return sendError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': 'Basic realm="fake registry"' })
    }
    if (options.auth === 'bearer') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      const scope = `repository:${repo}:pull`
      const challenge = `Bearer realm="${options.realmOverride ?? `${origin}/token`}",service="${SERVICE}"${ping ? '' : `,scope="${scope}"`}`
      const granted = token === undefined ? undefined : tokens.get(token)
      if (granted === undefined) return sendError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': challenge })
      if (!ping && !granted.split(' ').includes(scope)) {
        return sendError(res, 401, 'UNAUTHORIZED', 'insufficient scope', { 'WWW-Authenticate': `${challenge},error="insufficient_scope"` })
      }
    }
    if (ping) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Docker-Distribution-API-Version': 'registry/2.0' })
      return res.end('{}')
    }
    if (options.forbidden?.includes(repo)) return sendError(res, 403, 'DENIED', 'requested access to the resource is denied')

    const mediaType = manifests[`${repo}:${tag}`]
    const accepted = (req.headers.accept ?? '').split(',').map((s) => s.trim())
    if (!mediaType || !accepted.includes(mediaType)) return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown')
    // The digest of the body, as a real registry computes it, so each manifest has its own.
    const body = JSON.stringify({ mediaType, repo, tag })
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
    res.writeHead(200, { 'Content-Type': mediaType, 'Docker-Content-Digest': digest, 'Content-Length': String(Buffer.byteLength(body)) })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
