/**
 * The pieces every GitHub REST call shares: the headers, where a `next` page may lead, what an
 * error response says, and when an answer is a rate limit. Both the gate's reader and the
 * Action's writer go through transport.ts, which uses these.
 */

/** What a call does (a verb phrase: "read check runs") and which `permissions:` entry it takes. */
export interface Purpose {
  what: string
  permission: string
}

export type ApiErrorKind = 'permission' | 'auth' | 'not-found' | 'rate-limited' | 'http' | 'network'

/** The one error class of src/github: the gate branches on `kind` and `pastDeadline`. */
export class GitHubApiError extends Error {
  override name = 'GitHubApiError'
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    /** The HTTP status; 0 when GitHub was not reached. */
    readonly status = 0,
    /** True when waiting any longer would pass the caller's deadline (the gate's timeout). */
    readonly pastDeadline = false,
  ) {
    super(message)
  }
}

export function apiHeaders(token: string, extra: { etag?: string | undefined; json?: boolean } = {}): Record<string, string> {
  return {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'user-agent': 'cutover',
    'x-github-api-version': '2022-11-28',
    ...(extra.etag ? { 'if-none-match': extra.etag } : {}),
    ...(extra.json ? { 'content-type': 'application/json' } : {}),
  }
}

/**
 * The `rel="next"` URL of a Link header. A link to another origin comes back as `foreign`, never
 * as a URL to follow: the token goes with every request and must reach only its own API.
 */
export function nextLink(link: string | null, apiUrl: string): { next: string } | { foreign: string } | undefined {
  const m = link?.split(',').map((part) => /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)).find((x) => x)
  if (!m?.[1]) return undefined
  const next = new URL(m[1], apiUrl)
  return next.origin === new URL(apiUrl).origin ? { next: next.href } : { foreign: next.origin }
}

/** A 403/429 that is a rate limit (primary or secondary), with the wait GitHub asked for. */
export function rateLimit(res: Response, message: string, now: number): { hintMs: number } | undefined {
  const retryAfter = res.headers.get('retry-after')
  const remaining = res.headers.get('x-ratelimit-remaining')
  const reset = res.headers.get('x-ratelimit-reset')
  const limited = res.status === 429 || (res.status === 403 && (retryAfter !== null || remaining === '0' || /rate limit/i.test(message)))
  if (!limited) return undefined
  if (retryAfter !== null) {
    const secs = Number(retryAfter)
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(retryAfter) - now
    return { hintMs: Math.max(0, ms) }
  }
  if (remaining === '0' && reset !== null && Number.isFinite(Number(reset))) {
    // The reset is epoch seconds; one more second covers clock skew and rounding.
    return { hintMs: Math.max(0, Number(reset) * 1000 - now + 1000) }
  }
  return { hintMs: 0 }
}

/** GitHub's `message` from an error response, else the status text. */
export async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { message?: unknown }
    if (typeof body.message === 'string') return body.message
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status text.
  }
  return res.statusText || `HTTP ${res.status}`
}

/**
 * The error for a final (not retried) answer, naming the fix. `said` is already redacted;
 * `orElse` is the caller's way out besides a better token ("skip the gate").
 */
export function failureFor(status: number, said: string, purpose: Purpose, prefix: string, orElse: string): GitHubApiError {
  if (status === 403 && /not accessible by/i.test(said)) {
    return new GitHubApiError(
      `${prefix}the GitHub token may not ${purpose.what} (403 "${said}"): add \`${purpose.permission}\` under the job's \`permissions:\`, or pass a github-token that has it${orElse}.`,
      'permission',
      status,
    )
  }
  if (status === 401) return new GitHubApiError(`${prefix}GitHub rejected the token while trying to ${purpose.what} (401 "${said}"); pass a valid github-token.`, 'auth', status)
  if (status === 404) {
    return new GitHubApiError(`${prefix}GitHub found nothing when trying to ${purpose.what} (404 "${said}"): check the repository and commit, and that the token can see the repository.`, 'not-found', status)
  }
  return new GitHubApiError(`${prefix}GitHub answered ${status} "${said}" when trying to ${purpose.what}.`, status === 403 ? 'permission' : 'http', status)
}

/** A fetch failure's text with its cause (undici puts the reason, e.g. ECONNREFUSED, there). */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message
  }
  return String(err)
}

export function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6000) / 10}m` : `${Math.round(ms / 100) / 10}s`
}
