import { prefixedLogger } from '../log.js'
import { nextLink, type Purpose } from './http.js'
import { GitHubTransport, type TransportDeps } from './transport.js'

export interface GitHubClientOptions {
  apiUrl: string
  token: string
  /** `owner/name`. */
  repository: string
  fetch?: typeof fetch
  /** Where retries are announced (the Action: a warning line). */
  warn?: (message: string) => void
  /** Injected so tests do not wait for real. */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

const MAX_PAGES = 20

/**
 * The client the Action records with (Deployments, the sticky PR comment). A 5xx, a network
 * failure or a rate limit is retried a few times with short waits, since one bad gateway should
 * not cost the PR its preview link; any other 4xx (a bad ref's 422, a missing permission's 403)
 * is final at once. A retried POST that GitHub had in fact carried out can leave a second
 * deployment record; that is the price of not losing the only one.
 */
export class GitHubClient {
  private readonly http: GitHubTransport
  readonly repoPath: string
  /** False with `wait-for-checks: false` and no github-token: the run leaves no records then. */
  readonly hasToken: boolean

  constructor(o: GitHubClientOptions) {
    const warn = o.warn ?? (() => {})
    const deps: TransportDeps = {
      fetch: o.fetch ?? fetch,
      now: o.now ?? Date.now,
      sleep: o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      logger: prefixedLogger((level, line) => level === 'warn' && warn(line)),
    }
    this.http = new GitHubTransport({ apiUrl: o.apiUrl, token: o.token, retry: { maxAttempts: 4, transientBaseMs: 1_000, maxWaitMs: 60_000 } }, deps)
    this.hasToken = o.token !== ''
    const [owner, name] = o.repository.split('/')
    this.repoPath = `/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}`
  }

  async request<T>(method: string, path: string, purpose: Purpose, body?: unknown): Promise<T> {
    const res = await this.http.send(method, `${this.http.apiUrl}${path}`, purpose, { body })
    return (await res.json()) as T
  }

  /** Every item of a list endpoint, following `Link: rel="next"` on the API's own origin. */
  async list<T>(path: string, purpose: Purpose): Promise<T[]> {
    const out: T[] = []
    let url: string | undefined = `${this.http.apiUrl}${path}${path.includes('?') ? '&' : '?'}per_page=100`
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const res = await this.http.send('GET', url, purpose)
      out.push(...((await res.json()) as T[]))
      const link = nextLink(res.headers.get('link'), this.http.apiUrl)
      url = link && 'next' in link ? link.next : undefined
    }
    return out
  }
}
