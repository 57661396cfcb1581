import type { Logger } from '../log.js'
import { redact } from '../secrets/redact.js'
import { apiHeaders, errorMessage, errorText, failureFor, GitHubApiError, rateLimit, seconds, type ApiErrorKind, type Purpose } from './http.js'

/** Injected so tests run on a fake clock: nothing here reads the real time or sleeps for real. */
export interface TransportDeps {
  fetch: typeof fetch
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  logger: Logger
  signal?: AbortSignal | undefined
}

/** How long a caller is willing to wait out rate limits and transient failures. */
export interface RetryPolicy {
  maxAttempts: number
  /** No wait may end after this (ms since epoch); the gate's timeout. */
  deadline?: number
  /** The first wait after a 5xx or a network error; doubled on each further attempt. */
  transientBaseMs: number
  /** The longest single wait (a longer rate-limit hint is cut to it; the next answer tells). */
  maxWaitMs: number
}

export interface TransportOptions {
  apiUrl: string
  token: string
  retry: RetryPolicy
  /** Starts every message ("gate: "), so the log says which part of cutover spoke. */
  prefix?: string
  /** The caller's other way out, appended to a permission error (", or skip the gate"). */
  orElse?: string
}

/** GitHub's advice for a secondary rate limit that names no wait: at least a minute, then more. */
const UNHINTED_RATE_LIMIT_BASE_MS = 60_000
const HINTED_BASE_MS = 1_000

/**
 * One GitHub REST request with the token, retried while the answer says "later": network
 * failures, 5xx, and rate limits (waiting as long as GitHub asks). Any other non-2xx is final and
 * becomes a GitHubApiError that names the permission or the fix. The token is sent, and redacted
 * from every message.
 */
export class GitHubTransport {
  readonly apiUrl: string

  constructor(
    private readonly o: TransportOptions,
    private readonly deps: TransportDeps,
  ) {
    this.apiUrl = o.apiUrl.replace(/\/+$/, '')
  }

  /** The answer when 2xx, or 304 when `etag` was sent and still matches. */
  async send(method: string, url: string, purpose: Purpose, opts: { body?: unknown; etag?: string | undefined } = {}): Promise<Response> {
    const prefix = this.o.prefix ?? ''
    for (let attempt = 1; ; attempt++) {
      let res: Response
      try {
        res = await this.deps.fetch(url, {
          method,
          headers: apiHeaders(this.o.token, { etag: opts.etag, json: opts.body !== undefined }),
          body: opts.body === undefined ? null : JSON.stringify(opts.body),
          signal: this.deps.signal ?? null,
        })
      } catch (err) {
        if (this.deps.signal?.aborted) throw err
        const message = `${prefix}could not reach the GitHub API at ${this.apiUrl} to ${purpose.what} (${this.redact(errorText(err))})`
        await this.backOff(attempt, this.o.retry.transientBaseMs, 0, message, 'network', 0)
        continue
      }
      if (res.ok || (res.status === 304 && opts.etag)) return res
      const said = this.redact(await errorMessage(res))
      const limit = rateLimit(res, said, this.deps.now())
      if (limit !== undefined) {
        const base = limit.hintMs > 0 ? HINTED_BASE_MS : UNHINTED_RATE_LIMIT_BASE_MS
        await this.backOff(attempt, base, limit.hintMs, `${prefix}GitHub API rate limit (${res.status}) while trying to ${purpose.what}`, 'rate-limited', res.status)
        continue
      }
      if (res.status >= 500) {
        await this.backOff(attempt, this.o.retry.transientBaseMs, 0, `${prefix}GitHub API answered ${res.status} "${said}" when trying to ${purpose.what}`, 'http', res.status)
        continue
      }
      throw failureFor(res.status, said, purpose, prefix, this.o.orElse ?? '')
    }
  }

  redact(text: string): string {
    return redact(text, [this.o.token])
  }

  /** Waits before the next attempt, or throws when out of attempts, patience or time. */
  private async backOff(attempt: number, baseMs: number, hintMs: number, message: string, kind: ApiErrorKind, status: number): Promise<void> {
    const r = this.o.retry
    const waitMs = Math.min(r.maxWaitMs, Math.max(hintMs, baseMs * 2 ** (attempt - 1)))
    if (r.deadline !== undefined && waitMs > r.deadline - this.deps.now()) {
      throw new GitHubApiError(`${message}; the next try (in ${seconds(waitMs)}) would be past the gate's timeout`, kind, status, true)
    }
    if (attempt >= r.maxAttempts) throw new GitHubApiError(`${message}; gave up after ${attempt} attempts`, kind, status)
    this.deps.logger.warn(`${message}; retrying in ${seconds(waitMs)}`)
    await this.deps.sleep(waitMs, this.deps.signal)
  }
}
