import type { Logger } from '../log.js'
import { redact } from '../secrets/redact.js'

/** Injected so tests run on a fake clock: nothing here reads the real time or sleeps for real. */
export interface HttpDeps {
  fetch: typeof fetch
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  logger: Logger
  signal?: AbortSignal
}

/** An endpoint as the errors name it: what was read and which token permission that takes. */
export interface Endpoint {
  what: string
  permission: string
}

export type ApiErrorKind = 'permission' | 'auth' | 'not-found' | 'rate-limited' | 'http' | 'network'

export class GitHubApiError extends Error {
  override name = 'GitHubApiError'
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    /** True when the gate gave up because waiting any longer would pass its timeout. */
    readonly pastDeadline = false,
  ) {
    super(message)
  }
}

interface CachedPage {
  etag: string
  body: unknown
  next: string | null
}

const MAX_ATTEMPTS = 8
/** GitHub's advice for a secondary rate limit that names no wait: at least a minute, then more. */
const UNHINTED_RATE_LIMIT_BASE_MS = 60_000
const HINTED_BASE_MS = 1_000
const TRANSIENT_BASE_MS = 1_000
const MAX_BACKOFF_MS = 15 * 60_000

/**
 * Reads paginated GitHub REST resources with conditional requests: each page's ETag is kept and
 * sent back as If-None-Match, and a 304 reuses the cached body (GitHub does not count 304s
 * against the rate limit). Rate limits and transient failures are waited out until `deadline`.
 */
export class GitHubReader {
  private readonly cache = new Map<string, CachedPage>()
  /** How many 304s this reader has seen, for the log and for tests. */
  notModified = 0

  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
    private readonly deps: HttpDeps,
    private readonly deadline: number,
  ) {}

  /** Every item of every page, following `Link: rel="next"` (bounded: `maxPages`). */
  async getAll<T>(path: string, endpoint: Endpoint, items: (body: unknown) => T[], maxPages = 50): Promise<T[]> {
    const out: T[] = []
    let url: string | null = `${this.apiUrl}${path}`
    for (let page = 0; url !== null; page++) {
      if (page === maxPages) {
        this.deps.logger.warn(`gate: stopped reading ${endpoint.what} after ${maxPages} pages`)
        break
      }
      const got: CachedPage = await this.getPage(url, endpoint)
      out.push(...items(got.body))
      url = got.next
    }
    return out
  }

  private async getPage(url: string, endpoint: Endpoint): Promise<CachedPage> {
    const cached = this.cache.get(url)
    for (let attempt = 1; ; attempt++) {
      let res: Response
      try {
        res = await this.deps.fetch(url, { headers: this.headers(cached?.etag), signal: this.deps.signal ?? null })
      } catch (err) {
        if (this.deps.signal?.aborted) throw err
        const message = `gate: could not reach the GitHub API at ${this.apiUrl} (${this.redact(errorText(err))})`
        await this.backOff(attempt, TRANSIENT_BASE_MS, 0, message, 'network')
        continue
      }
      if (res.status === 304 && cached) {
        await res.body?.cancel()
        this.notModified++
        return cached
      }
      if (res.ok) {
        const body: unknown = await res.json()
        const page = { etag: res.headers.get('etag') ?? '', body, next: this.nextLink(res.headers.get('link')) }
        if (page.etag) this.cache.set(url, page)
        return page
      }
      const message = await errorMessage(res)
      const limit = rateLimit(res, message, this.deps.now())
      if (limit !== undefined) {
        const base = limit.hintMs > 0 ? HINTED_BASE_MS : UNHINTED_RATE_LIMIT_BASE_MS
        const text = `gate: GitHub API rate limit (${res.status}) while reading ${endpoint.what}`
        await this.backOff(attempt, base, limit.hintMs, text, 'rate-limited')
        continue
      }
      if (res.status >= 500) {
        await this.backOff(attempt, TRANSIENT_BASE_MS, 0, `gate: GitHub API answered ${res.status} for ${endpoint.what}`, 'http')
        continue
      }
      throw this.failure(res.status, message, endpoint)
    }
  }

  /** Waits before retrying; gives up when out of attempts or when the wait would pass the deadline. */
  private async backOff(attempt: number, baseMs: number, hintMs: number, message: string, kind: ApiErrorKind): Promise<void> {
    const waitMs = Math.min(MAX_BACKOFF_MS, Math.max(hintMs, baseMs * 2 ** (attempt - 1)))
    const left = this.deadline - this.deps.now()
    if (waitMs > left) throw new GitHubApiError(`${message}; the next try (in ${seconds(waitMs)}) would be past the gate's timeout`, kind, true)
    if (attempt >= MAX_ATTEMPTS) throw new GitHubApiError(`${message}; gave up after ${attempt} attempts`, kind)
    this.deps.logger.warn(`${message}; retrying in ${seconds(waitMs)}`)
    await this.deps.sleep(waitMs, this.deps.signal)
  }

  private failure(status: number, message: string, endpoint: Endpoint): GitHubApiError {
    const said = this.redact(message)
    if (status === 403 && /not accessible by/i.test(message)) {
      return new GitHubApiError(
        `gate: the GitHub token may not read ${endpoint.what} (403 "${said}"): it lacks the \`${endpoint.permission}\` permission. ` +
          `Add \`${endpoint.permission}\` under the job's \`permissions:\` (the gate needs \`checks: read\` and \`statuses: read\`), pass a token that has it, or skip the gate.`,
        'permission',
      )
    }
    if (status === 401) return new GitHubApiError(`gate: GitHub rejected the token (401 "${said}"); pass a valid github-token`, 'auth')
    if (status === 404) {
      return new GitHubApiError(`gate: GitHub found no ${endpoint.what} (404 "${said}"): check the repository and commit, and that the token can see the repository`, 'not-found')
    }
    return new GitHubApiError(`gate: GitHub API answered ${status} "${said}" for ${endpoint.what}`, status === 403 ? 'permission' : 'http')
  }

  private headers(etag: string | undefined): Record<string, string> {
    return {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${this.token}`,
      'user-agent': 'cutover',
      'x-github-api-version': '2022-11-28',
      ...(etag ? { 'if-none-match': etag } : {}),
    }
  }

  /** Follows `next` only on the API's own origin: the token must never go anywhere else. */
  private nextLink(link: string | null): string | null {
    const m = link?.split(',').map((part) => /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)).find((x) => x)
    if (!m?.[1]) return null
    const next = new URL(m[1], this.apiUrl)
    if (next.origin !== new URL(this.apiUrl).origin) {
      this.deps.logger.warn(`gate: ignored a pagination link to another host (${next.origin})`)
      return null
    }
    return next.href
  }

  private redact(text: string): string {
    return redact(text, [this.token])
  }
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

/** GitHub's `message` from an error response, else the status text. Also used by the Action's writer client. */
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

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message
  }
  return String(err)
}

export function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6000) / 10}m` : `${Math.round(ms / 100) / 10}s`
}
