import { nextLink, type Purpose } from './http.js'
import { GitHubTransport, type TransportDeps } from './transport.js'

interface CachedPage {
  etag: string
  body: unknown
  next: string | null
}

/**
 * Reads paginated GitHub REST resources with conditional requests: each page's ETag is kept and
 * sent back as If-None-Match, and a 304 reuses the cached body (GitHub does not count 304s
 * against the rate limit). Rate limits and transient failures are waited out until `deadline`.
 */
export class GitHubReader {
  private readonly cache = new Map<string, CachedPage>()
  private readonly http: GitHubTransport
  /** How many 304s this reader has seen, for the log and for tests. */
  notModified = 0

  constructor(
    apiUrl: string,
    token: string,
    private readonly deps: TransportDeps,
    deadline: number,
  ) {
    const retry = { maxAttempts: 8, deadline, transientBaseMs: 1_000, maxWaitMs: 15 * 60_000 }
    const orElse = ', or skip the gate (it needs `checks: read` and `statuses: read`)'
    this.http = new GitHubTransport({ apiUrl, token, retry, prefix: 'gate: ', orElse }, deps)
  }

  /** Every item of every page, following `Link: rel="next"` (bounded: `maxPages`). */
  async getAll<T>(path: string, purpose: Purpose, items: (body: unknown) => T[], maxPages = 50): Promise<T[]> {
    const out: T[] = []
    let url: string | null = `${this.http.apiUrl}${path}`
    for (let page = 0; url !== null; page++) {
      if (page === maxPages) {
        this.deps.logger.warn(`gate: stopped trying to ${purpose.what} after ${maxPages} pages`)
        break
      }
      const got: CachedPage = await this.getPage(url, purpose)
      out.push(...items(got.body))
      url = got.next
    }
    return out
  }

  private async getPage(url: string, purpose: Purpose): Promise<CachedPage> {
    const cached = this.cache.get(url)
    const res = await this.http.send('GET', url, purpose, { etag: cached?.etag })
    if (res.status === 304 && cached) {
      await res.body?.cancel()
      this.notModified++
      return cached
    }
    const body: unknown = await res.json()
    const link = nextLink(res.headers.get('link'), this.http.apiUrl)
    if (link && 'foreign' in link) this.deps.logger.warn(`gate: ignored a pagination link to another host (${link.foreign})`)
    const page = { etag: res.headers.get('etag') ?? '', body, next: link && 'next' in link ? link.next : null }
    if (page.etag) this.cache.set(url, page)
    return page
  }
}
