/**
 * The small REST client the Action writes with (Deployments, the PR comment). Reads for the CI
 * gate live in src/gate; this one only needs JSON requests, page following and errors that
 * name the token permission a 403 is about. The token is sent, never logged or put in errors.
 */
import { errorMessage } from '../../gate/github-client.js'
import { redact } from '../../secrets/redact.js'

export interface GitHubClientOptions {
  apiUrl: string
  token: string
  /** `owner/name`. */
  repository: string
  fetch?: typeof fetch
}

export class GitHubRequestError extends Error {
  override name = 'GitHubRequestError'
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

/** What a call does and which `permissions:` entry it takes, for error messages. */
export interface Purpose {
  what: string
  permission: string
}

const MAX_PAGES = 20

export class GitHubClient {
  private readonly fetch: typeof fetch
  readonly repoPath: string

  constructor(private readonly o: GitHubClientOptions) {
    this.fetch = o.fetch ?? fetch
    const [owner, name] = o.repository.split('/')
    this.repoPath = `/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}`
  }

  async request<T>(method: string, path: string, purpose: Purpose, body?: unknown): Promise<T> {
    const res = await this.send(method, `${this.base()}${path}`, purpose, body)
    return (await res.json()) as T
  }

  /** Every item of a list endpoint, following `Link: rel="next"` on the API's own origin. */
  async list<T>(path: string, purpose: Purpose): Promise<T[]> {
    const out: T[] = []
    let url: string | undefined = `${this.base()}${path}${path.includes('?') ? '&' : '?'}per_page=100`
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const res = await this.send('GET', url, purpose)
      out.push(...((await res.json()) as T[]))
      url = this.next(res.headers.get('link'))
    }
    return out
  }

  private base(): string {
    return this.o.apiUrl.replace(/\/+$/, '')
  }

  private async send(method: string, url: string, purpose: Purpose, body?: unknown): Promise<Response> {
    let res: Response
    try {
      res = await this.fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.o.token}`,
          'user-agent': 'cutover',
          'x-github-api-version': '2022-11-28',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
      })
    } catch (err) {
      throw new GitHubRequestError(`could not reach the GitHub API at ${this.base()} to ${purpose.what}: ${this.redact((err as Error).message)}`, 0)
    }
    if (res.ok) return res
    const said = this.redact(await errorMessage(res))
    if (res.status === 403 && /not accessible by/i.test(said)) {
      throw new GitHubRequestError(
        `the GitHub token may not ${purpose.what} (403 "${said}"): add \`${purpose.permission}\` under the job's \`permissions:\`, or pass a github-token that has it.`,
        403,
      )
    }
    if (res.status === 401) throw new GitHubRequestError(`GitHub rejected the token while trying to ${purpose.what} (401 "${said}"); pass a valid github-token.`, 401)
    throw new GitHubRequestError(`GitHub answered ${res.status} "${said}" when trying to ${purpose.what}.`, res.status)
  }

  private next(link: string | null): string | undefined {
    const m = link?.split(',').map((part) => /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)).find((x) => x)
    if (!m?.[1]) return undefined
    const next = new URL(m[1], this.base())
    // The token must never be sent anywhere but the API it belongs to.
    return next.origin === new URL(this.base()).origin ? next.href : undefined
  }

  private redact(text: string): string {
    return redact(text, [this.o.token])
  }
}
