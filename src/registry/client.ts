import { readFile } from 'node:fs/promises'
import { redact } from '../secrets/redact.js'
import { registryTarget, type RegistryTarget } from './image-ref.js'
import { classifyTransportError, RegistryError, request, type HttpResponse } from './http.js'
import type { RegistryInput } from './types.js'
import { parseWwwAuthenticate, type Challenge } from './www-authenticate.js'

export { RegistryError } from './http.js'

/**
 * Every manifest kind an image tag can point at. A registry answers 404 for a manifest whose
 * type the client did not accept (an OCI index, say, from a multi-arch buildx push), which
 * would read as "absent" and rebuild for nothing.
 */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const

export interface RegistryClientOptions {
  timeoutMs?: number
}

export interface RegistryClient {
  /**
   * Whether `image:tag` is in the registry, by an authenticated manifest HEAD.
   * true = present, false = absent (404). Anything else throws a RegistryError naming the
   * registry and the fix: above all, 401/403 is never read as "absent".
   */
  hasManifest(image: string, tag: string): Promise<boolean>
  /**
   * The content digest (`sha256:…`, the registry's Docker-Content-Digest) of `image:tag`, or
   * null when absent. It names the exact content a host pulls, so it keys the settings digest.
   */
  manifestDigest(image: string, tag: string): Promise<string | null>
}

export async function createRegistryClient(registry: RegistryInput, options: RegistryClientOptions = {}): Promise<RegistryClient> {
  const ca = registry.caFile ? await readCa(registry.caFile) : undefined
  const timeoutMs = options.timeoutMs ?? 30_000
  const scheme = registry.insecureHttp ? 'http' : 'https'
  const passwordSource = registry.passwordSource ?? 'registry.password'
  const hasCredentials = Boolean(registry.username) && registry.password !== undefined
  const basic = hasCredentials ? `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` : undefined
  const who = registry.username ? ` as user "${registry.username}"` : ''
  const credentialsFix = `Fix: check registry.username and ${passwordSource}; the account needs pull and push access to the repository.`
  const tokens = new Map<string, string>()

  // The password is never put into a message on purpose; this also catches a server echoing it.
  const fail = (message: string, failure: RegistryError['failure']): RegistryError => new RegistryError(redact(message, [registry.password ?? '']), failure)

  async function send(target: RegistryTarget, url: URL, method: 'GET' | 'HEAD', headers: Record<string, string>): Promise<HttpResponse> {
    try {
      return await request(url, { method, headers, timeoutMs, ...(ca ? { ca } : {}) })
    } catch (e) {
      const error = e as NodeJS.ErrnoException
      const reason = `${error.code ?? 'error'}: ${error.message}`
      switch (classifyTransportError(error)) {
        case 'tls':
          throw fail(
            `Cannot verify the TLS connection to registry ${target.registry} (${url.host}) — ${reason}. ` +
              `Fix: point the registry CA option at the PEM of the CA that signed its certificate (or install that CA on this machine), and check the certificate names ${url.hostname}.` +
              (scheme === 'https' && error.code === 'EPROTO' ? ' If the registry serves plain HTTP, mark it as insecure.' : ''),
            'tls',
          )
        case 'unreachable':
          throw fail(`Cannot reach registry ${target.registry} at ${url.origin} (${reason}). Fix: check registry.server, and that the registry is running and reachable from this machine.`, 'unreachable')
        default:
          throw fail(`Request to registry ${target.registry} at ${url.origin} failed (${reason}).`, 'unreachable')
      }
    }
  }

  async function bearerToken(target: RegistryTarget, challenge: Challenge): Promise<string> {
    const realm = challenge.params['realm']
    if (!realm) throw fail(`Registry ${target.registry} asked for a Bearer token but named no token service (no realm in WWW-Authenticate).`, 'protocol')
    const url = new URL(realm, `${scheme}://${target.apiHost}/`)
    if (url.protocol === 'http:' && scheme === 'https' && basic) {
      throw fail(`Registry ${target.registry} sends credentials to a plain-HTTP token service (${url.origin}); cutover refuses to send your password unencrypted. Fix: serve the token service over HTTPS.`, 'config')
    }
    const scope = challenge.params['scope'] ?? `repository:${target.repository}:pull`
    if (challenge.params['service']) url.searchParams.set('service', challenge.params['service'])
    url.searchParams.set('scope', scope)
    const cached = tokens.get(url.href)
    if (cached) return cached

    const res = await send(target, url, 'GET', basic ? { Authorization: basic } : {})
    if (res.status === 401 || res.status === 403) {
      throw fail(
        hasCredentials
          ? `Registry ${target.registry} rejected the credentials${who} (HTTP ${res.status} from its token service ${url.origin}${detail(res)}). ${credentialsFix}`
          : `Registry ${target.registry} requires credentials to read ${target.repository} (HTTP ${res.status} from its token service). Fix: set registry.username and ${passwordSource}.`,
        'auth',
      )
    }
    if (res.status !== 200) throw fail(`The token service of registry ${target.registry} (${url.origin}) answered HTTP ${res.status}${detail(res)}.`, 'protocol')
    let token: unknown
    try {
      const body = JSON.parse(res.body) as { token?: unknown; access_token?: unknown }
      token = body.token ?? body.access_token
    } catch {
      token = undefined
    }
    if (typeof token !== 'string' || token === '') throw fail(`The token service of registry ${target.registry} (${url.origin}) returned no token.`, 'protocol')
    tokens.set(url.href, token)
    return token
  }

  const client: RegistryClient = {
    async hasManifest(image, tag) {
      return (await client.manifestDigest(image, tag)) !== null
    },
    async manifestDigest(image, tag) {
      const target = registryTarget(registry, image)
      const url = new URL(`${scheme}://${target.apiHost}/v2/${target.repository}/manifests/${encodeURIComponent(tag)}`)
      const accept = { Accept: MANIFEST_MEDIA_TYPES.join(', ') }
      const ref = `${target.registry}/${target.repository}:${tag}`

      let res = await send(target, url, 'HEAD', accept)
      if (res.status === 401) {
        const challenges = parseWwwAuthenticate(headerText(res.headers['www-authenticate']))
        const bearer = challenges.find((c) => c.scheme === 'bearer')
        const basicChallenge = challenges.find((c) => c.scheme === 'basic')
        if (bearer) {
          res = await send(target, url, 'HEAD', { ...accept, Authorization: `Bearer ${await bearerToken(target, bearer)}` })
        } else if (basicChallenge && basic) {
          res = await send(target, url, 'HEAD', { ...accept, Authorization: basic })
        } else if (basicChallenge) {
          throw fail(`Registry ${target.registry} requires credentials to read ${target.repository}. Fix: set registry.username and ${passwordSource}.`, 'auth')
        } else {
          throw fail(`Registry ${target.registry} answered HTTP 401 without a Basic or Bearer challenge, so cutover cannot log in to it.`, 'protocol')
        }
      }
      switch (res.status) {
        case 200: {
          const digest = headerText(res.headers['docker-content-digest'])
          if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
            throw fail(`Registry ${target.registry} answered the manifest check of ${ref} without a valid Docker-Content-Digest header; cutover needs it to know which content hosts run.`, 'protocol')
          }
          return digest
        }
        case 404:
          return null
        case 401:
          throw fail(`Registry ${target.registry} refused the credentials${who} for ${ref} (HTTP 401). ${credentialsFix}`, 'auth')
        case 403:
          throw fail(`Registry ${target.registry} denied access${who} to ${ref} (HTTP 403). ${credentialsFix}`, 'auth')
        default:
          throw fail(`Registry ${target.registry} answered HTTP ${res.status} to a manifest check of ${ref}; cannot tell whether the image is there.`, 'protocol')
      }
    },
  }
  return client
}

async function readCa(path: string): Promise<string> {
  let pem: string
  try {
    pem = await readFile(path, 'utf8')
  } catch (e) {
    throw new RegistryError(`Cannot read the registry CA file ${path} (${(e as NodeJS.ErrnoException).code ?? e}). Fix: point the registry CA option at a readable PEM file.`, 'config')
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new RegistryError(`The registry CA file ${path} holds no PEM certificate. Fix: point the registry CA option at the CA certificate (PEM).`, 'config')
  }
  return pem
}

const headerText = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value)

/** The registry's own words from an error body (Docker's `errors[].message`), kept short. */
function detail(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.body) as { errors?: { message?: unknown }[]; details?: unknown }
    const said = body.errors?.map((e) => e.message).find((m) => typeof m === 'string') ?? body.details
    return typeof said === 'string' && said ? `: "${said.slice(0, 200)}"` : ''
  } catch {
    return ''
  }
}
