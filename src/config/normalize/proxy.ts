import type { ProxySettingsInput } from '../schema/proxy.js'
import type { ProxyConfig } from '../types.js'

/** Kamal's defaults for kamal-proxy deploy settings (documented in Kamal's proxy configuration). */
export const PROXY_DEFAULTS = {
  appPort: 80,
  responseTimeout: 30,
  healthcheck: { path: '/up', interval: 1, timeout: 5 },
  requestHeaders: ['Cache-Control', 'Last-Modified', 'User-Agent'],
} as const

type Settings = Partial<ProxySettingsInput>

/**
 * A role's proxy settings merged over the root's, as Kamal deep-merges them, except that a role
 * naming its own host or hosts replaces the root's names instead of clashing with them.
 */
export function mergeProxy(root: Settings | undefined, role: Settings | undefined): Settings {
  const r = root ?? {}
  const o = role ?? {}
  const roleNames = o.host !== undefined || o.hosts !== undefined
  const merged: Settings = { ...r, ...o }
  if (roleNames) {
    merged.host = o.host
    merged.hosts = o.hosts
  }
  for (const key of ['healthcheck', 'buffering', 'logging'] as const) {
    if (r[key] || o[key]) (merged as Record<string, unknown>)[key] = { ...r[key], ...o[key] }
  }
  return merged
}

export function resolveProxy(p: Settings, timeouts: { deployTimeout: number; drainTimeout: number }): ProxyConfig {
  const ssl = p.ssl === true || (typeof p.ssl === 'object' && p.ssl !== null)
  const cert = typeof p.ssl === 'object' && p.ssl !== null ? p.ssl : undefined
  return {
    hosts: p.hosts ?? p.host ?? [],
    appPort: p.app_port ?? PROXY_DEFAULTS.appPort,
    ssl,
    ...(cert ? { sslCertificate: { certificate: { secret: cert.certificate_pem }, privateKey: { secret: cert.private_key_pem } } } : {}),
    sslRedirect: p.ssl_redirect ?? true,
    forwardHeaders: p.forward_headers ?? !ssl,
    ...timeouts,
    responseTimeout: p.response_timeout ?? PROXY_DEFAULTS.responseTimeout,
    healthcheck: {
      path: p.healthcheck?.path ?? PROXY_DEFAULTS.healthcheck.path,
      interval: p.healthcheck?.interval ?? PROXY_DEFAULTS.healthcheck.interval,
      timeout: p.healthcheck?.timeout ?? PROXY_DEFAULTS.healthcheck.timeout,
    },
    buffering: {
      requests: p.buffering?.requests ?? true,
      responses: p.buffering?.responses ?? true,
      ...(p.buffering?.max_request_body !== undefined ? { maxRequestBody: p.buffering.max_request_body } : {}),
      ...(p.buffering?.max_response_body !== undefined ? { maxResponseBody: p.buffering.max_response_body } : {}),
      ...(p.buffering?.memory !== undefined ? { memory: p.buffering.memory } : {}),
    },
    logging: {
      requestHeaders: p.logging?.request_headers ?? [...PROXY_DEFAULTS.requestHeaders],
      responseHeaders: p.logging?.response_headers ?? [],
    },
  }
}
