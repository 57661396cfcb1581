import * as http from 'node:http'
import * as https from 'node:https'
import { rootCertificates } from 'node:tls'

/** Why a registry request failed, so callers can word the fix. */
export type RegistryFailure = 'auth' | 'unreachable' | 'tls' | 'protocol' | 'config'

export class RegistryError extends Error {
  override name = 'RegistryError'
  constructor(
    message: string,
    readonly failure: RegistryFailure,
  ) {
    super(message)
  }
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface HttpOptions {
  method: 'GET' | 'HEAD'
  headers?: Record<string, string>
  /** PEM of extra CAs to trust (a private registry); Node's default roots stay trusted too. */
  ca?: string
  timeoutMs: number
}

// Enough for any error or token document; a registry is not asked for layers here.
const MAX_BODY = 256 * 1024

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
])
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])

/** The class of a transport error: TLS trust, network, or something else. */
export function classifyTransportError(error: NodeJS.ErrnoException): 'tls' | 'unreachable' | 'other' {
  const code = error.code ?? ''
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(error.message)) return 'tls'
  if (NETWORK_CODES.has(code) || code === 'TIMEOUT') return 'unreachable'
  return 'other'
}

/**
 * One HTTP(S) request with node:https, because Node's global fetch cannot be given a CA
 * without undici's Agent; a private registry with its own CA is the common case here.
 * Rejects with the transport error (code set); HTTP statuses, 4xx included, resolve.
 */
export function request(url: URL, options: HttpOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:'
    const agentless = { method: options.method, headers: options.headers ?? {}, timeout: options.timeoutMs }
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_BODY) chunks.push(chunk)
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    }
    const req = secure
      ? https.request(url, { ...agentless, ...(options.ca ? { ca: [...tlsRootCertificates(), options.ca] } : {}) }, onResponse)
      : http.request(url, agentless, onResponse)
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'TIMEOUT' }))
    })
    req.on('error', reject)
    req.end()
  })
}

// Passing `ca` replaces Node's bundled roots; keep them so a custom CA only adds trust.
const tlsRootCertificates = (): readonly string[] => rootCertificates
