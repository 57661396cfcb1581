import { z } from 'zod'
import { isPlainMap } from '../yaml.js'
import { byKind, type KamalOnlyKeys, section } from './section.js'
import { bool, count, leaf, listOf, mapOf, nonEmptyText, port, PROXY_HOST_EXPECTED, proxyHost, proxyHostProblem, secretName, seconds, text } from './values.js'

/** Kamal's `host` may hold several names separated by commas. */
const hostList = leaf<string[]>(`${PROXY_HOST_EXPECTED}, or several separated by commas`, (v) => {
  if (typeof v !== 'string') return { ok: false, message: v === undefined ? 'is missing' : 'is not a string' }
  const names = v.split(',').map((s) => s.trim())
  for (const name of names) {
    const problem = proxyHostProblem(name)
    if (problem) return { ok: false, message: `${JSON.stringify(name)} ${problem}` }
  }
  return { ok: true, value: names }
})

const urlPath = leaf<string>('a path starting with /, e.g. /up', (v) =>
  typeof v === 'string' && /^\/\S*$/.test(v) ? { ok: true, value: v } : { ok: false, message: typeof v === 'string' ? `${JSON.stringify(v)} does not start with /` : 'is not a string' },
)

const healthcheck = section(
  { path: urlPath.optional(), interval: seconds(1).optional(), timeout: seconds(1).optional() },
  { expected: 'a map with path, interval and timeout' },
)

const bytes = () => count(0, 'a number of bytes (0 for no limit), e.g. 40_000_000')
const buffering = section(
  {
    requests: bool().optional(),
    responses: bool().optional(),
    max_request_body: bytes().optional(),
    max_response_body: bytes().optional(),
    memory: bytes().optional(),
  },
  { expected: 'a map with requests, responses, max_request_body, max_response_body and memory' },
)

const headers = listOf(nonEmptyText('a header name'), 'a list of header names')
const logging = section({ request_headers: headers.optional(), response_headers: headers.optional() }, { expected: 'a map with request_headers and response_headers' })

/** Custom certificates come from secrets, named here; both halves are required (as in Kamal). */
const customCertificate = section(
  { certificate_pem: secretName(), private_key_pem: secretName() },
  { expected: 'a map with certificate_pem and private_key_pem, each naming a secret' },
)
const ssl = byKind({ boolean: bool(), map: customCertificate }, 'true, false, or a map with certificate_pem and private_key_pem (secret names)')

export const PROXY_KAMAL_ONLY = {
  path_prefix: { schema: text(), note: 'path-based routing is not done yet' },
  path_prefixes: { schema: listOf(text(), 'a list of paths'), note: 'path-based routing is not done yet' },
  strip_path_prefix: { schema: bool() },
  run: { schema: mapOf(z.unknown(), 'a map of kamal-proxy run options'), note: 'cutover runs kamal-proxy with its defaults (ports 80 and 443)' },
} satisfies KamalOnlyKeys

/** Settings cutover passes to `kamal-proxy deploy`; the same keys at the root and on a role. */
export const proxySettings = section(
  {
    host: hostList.optional(),
    hosts: listOf(proxyHost(), `a list of host names (${PROXY_HOST_EXPECTED})`).optional(),
    app_port: port().optional(),
    ssl: ssl.optional(),
    ssl_redirect: bool().optional(),
    forward_headers: bool().optional(),
    response_timeout: seconds(1).optional(),
    healthcheck: healthcheck.optional(),
    buffering: buffering.optional(),
    logging: logging.optional(),
  },
  {
    expected: 'a map of proxy settings (host, app_port, ssl, healthcheck, ...)',
    kamalOnly: PROXY_KAMAL_ONLY,
  },
).superRefine(
  (p, ctx) => {
    if (isPlainMap(p) && p.host !== undefined && p.hosts !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['hosts'], message: 'is set together with host', params: { expected: 'either host or hosts, not both' } })
    }
  },
  { when: () => true },
)
export type ProxySettingsInput = z.output<typeof proxySettings>

/** At the root, proxy is a map; `proxy: true/false` only makes sense on a role. */
export const rootProxy = byKind({ map: proxySettings, null: proxySettings }, 'a map of proxy settings (proxy: true or false is only for a role, under servers/ROLE/proxy)')

/** On a role: true (use the root settings), false (no proxy), or settings merged over the root's. */
export const roleProxy = byKind(
  // `proxy:` with nothing under it is the same as leaving it out, as in Kamal.
  { boolean: bool(), map: proxySettings, null: z.null().transform(() => undefined) },
  'true, false, or a map of proxy settings for this role',
)
