import { get } from 'node:http'

/**
 * A bounded request loop against each host's kamal-proxy (127.0.0.1:1808N only): a few workers
 * per host GET a path over and over, each on a new connection, and record every answer. It stops
 * at `maxRequests` or `maxMs`, whichever comes first, or earlier when `finish` asks it to.
 */
export interface LoopTarget {
  name: string
  /** http://127.0.0.1:PORT: the host's port 80 (kamal-proxy) as the testbed publishes it. */
  url: string
}

export interface Answer {
  host: string
  /** ms since the loop started, when the request was sent. */
  sentAt: number
  ok: boolean
  /** The body (trimmed) when ok; why it failed otherwise. */
  detail: string
  /** How long the answer (or the failure) took, ms. */
  tookMs: number
}

export interface LoopOptions {
  path: string
  workersPerHost: number
  maxRequests: number
  maxMs: number
  requestTimeoutMs: number
  /** A 200 whose body is not accepted counts as failed (e.g. a version nobody deployed). */
  accept: (body: string) => boolean
}

function fetchOnce(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false: a new connection each time, as many separate clients would make.
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (b: Buffer) => chunks.push(b))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
  })
}

export class RequestLoop {
  readonly answers: Answer[] = []
  private readonly started = performance.now()
  private sent = 0
  private stopWhen: (() => boolean) | null = null
  private readonly workers: Promise<void>[]

  constructor(private readonly targets: readonly LoopTarget[], private readonly options: LoopOptions) {
    this.workers = targets.flatMap((t) => Array.from({ length: options.workersPerHost }, () => this.work(t)))
  }

  /** ms since the loop started (the clock of every Answer.sentAt). */
  elapsed(): number {
    return performance.now() - this.started
  }

  private done(): boolean {
    return this.sent >= this.options.maxRequests || this.elapsed() >= this.options.maxMs || (this.stopWhen?.() ?? false)
  }

  private async work(target: LoopTarget): Promise<void> {
    while (!this.done()) {
      this.sent++
      const sentAt = this.elapsed()
      try {
        const { status, body } = await fetchOnce(`${target.url}${this.options.path}`, this.options.requestTimeoutMs)
        const text = body.trim()
        const ok = status === 200 && this.options.accept(text)
        this.answers.push({ host: target.name, sentAt, ok, detail: ok ? text : `HTTP ${status} ${JSON.stringify(text.slice(0, 80))}`, tookMs: this.elapsed() - sentAt })
      } catch (e) {
        this.answers.push({ host: target.name, sentAt, ok: false, detail: e instanceof Error ? e.message : String(e), tookMs: this.elapsed() - sentAt })
      }
    }
  }

  /** Waits (within the loop's bounds) until every host has answered `count` times with `body`. */
  async waitFor(body: string, count: number): Promise<boolean> {
    for (;;) {
      if (this.targets.every((t) => this.answers.filter((a) => a.host === t.name && a.ok && a.detail === body).length >= count)) return true
      if (this.done()) return false
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /**
   * Ends the loop once every host has answered `tail` more times (from now) and at least
   * `atLeast` requests were sent in all; the loop's own bounds still apply.
   */
  async finish(tail: number, atLeast: number): Promise<Answer[]> {
    const mark = this.elapsed()
    this.stopWhen = () =>
      this.sent >= atLeast && this.targets.every((t) => this.answers.filter((a) => a.host === t.name && a.sentAt >= mark).length >= tail)
    await Promise.all(this.workers)
    return this.answers
  }
}

/** Consecutive runs of the same answer, in the order requests were sent: "v1×120 → v2×98". */
export function runsOf(answers: readonly Answer[]): { detail: string; count: number }[] {
  const runs: { detail: string; count: number }[] = []
  for (const a of [...answers].sort((x, y) => x.sentAt - y.sentAt)) {
    const last = runs[runs.length - 1]
    const detail = a.ok ? a.detail : 'FAILED'
    if (last && last.detail === detail) last.count++
    else runs.push({ detail, count: 1 })
  }
  return runs
}
