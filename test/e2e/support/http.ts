import { Agent, request } from 'node:http'

/**
 * HTTP to the app through each host's kamal-proxy, which the testbed publishes on 127.0.0.1
 * (network rule: loopback only). The `Host:` header picks this test's route, since other
 * services share the proxies.
 */

export interface Reply {
  status: number
  body: string
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 })

export function get(baseUrl: string, host: string, path: string, timeoutMs = 5_000): Promise<Reply> {
  const url = new URL(path, baseUrl)
  if (url.hostname !== '127.0.0.1') throw new Error(`tests only send requests to 127.0.0.1, not ${url.hostname}`)
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { host }, agent, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (s: string) => (body += s))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** The version the app answers on /version through this proxy, trimmed ('' plus status when not 200). */
export async function version(baseUrl: string, host: string): Promise<string> {
  const r = await get(baseUrl, host, '/version')
  return r.status === 200 ? r.body.trim() : `HTTP ${r.status}: ${r.body.trim()}`
}

export interface LoadTarget {
  name: string
  baseUrl: string
  host: string
}

export interface Answer {
  target: string
  /** When the request was sent, in ms since the load started. */
  at: number
  /** When its answer had arrived. */
  doneAt: number
  version: string
}

export interface LoadReport {
  sent: number
  failed: { target: string; at: number; why: string }[]
  answers: Answer[]
  ms: number
  /** The load hit maxRequests or maxMs before stop() was called: it did not cover all the work. */
  capped: boolean
}

export interface LoadOptions {
  /** Concurrent request loops per target. */
  perTarget?: number
  /** Bounds: the load stops at whichever comes first (stop(), maxRequests, maxMs). */
  maxRequests?: number
  maxMs?: number
  /** Pause between one loop's requests, so the 2-core machine keeps time for the deploy. */
  gapMs?: number
  /** A body other than these counts as a failure (a wrong app answering is not "up"). */
  expect: readonly string[]
}

/**
 * A bounded, continuous stream of GET /version against every target, until stop(). Any
 * non-200, connection error, timeout or unexpected body is a failed request.
 */
export function startLoad(targets: readonly LoadTarget[], options: LoadOptions): { stop(minRequests?: number): Promise<LoadReport> } {
  const maxRequests = options.maxRequests ?? 20_000
  const maxMs = options.maxMs ?? 120_000
  const gapMs = options.gapMs ?? 10
  const t0 = performance.now()
  const report: LoadReport = { sent: 0, failed: [], answers: [], ms: 0, capped: false }
  let stopping = false
  let wanted = 0
  const loop = async (t: LoadTarget): Promise<void> => {
    while (report.sent < maxRequests && performance.now() - t0 < maxMs && !(stopping && report.sent >= wanted)) {
      report.sent++
      const at = Math.round(performance.now() - t0)
      try {
        const r = await get(t.baseUrl, t.host, '/version', 10_000)
        const body = r.body.trim()
        if (r.status !== 200) report.failed.push({ target: t.name, at, why: `HTTP ${r.status}: ${body.slice(0, 200)}` })
        else if (!options.expect.includes(body)) report.failed.push({ target: t.name, at, why: `unexpected body ${JSON.stringify(body.slice(0, 200))}` })
        else report.answers.push({ target: t.name, at, doneAt: performance.now() - t0, version: body })
      } catch (e) {
        report.failed.push({ target: t.name, at, why: e instanceof Error ? e.message : String(e) })
      }
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
    }
  }
  const capped = (): boolean => report.sent >= maxRequests || performance.now() - t0 >= maxMs
  const loops = targets.flatMap((t) => Array.from({ length: options.perTarget ?? 2 }, () => loop(t)))
  const all = Promise.all(loops)
  return {
    /** Stop once at least `minRequests` were sent in all (still within the bounds). */
    async stop(minRequests = 0): Promise<LoadReport> {
      report.capped = capped()
      wanted = minRequests
      stopping = true
      await all
      report.ms = Math.round(performance.now() - t0)
      return report
    },
  }
}

/** Versions answered on one target, in the order the requests were sent. */
export const versionsSeen = (r: LoadReport, target: string): string[] =>
  r.answers
    .filter((a) => a.target === target)
    .sort((a, b) => a.at - b.at)
    .map((a) => a.version)

/**
 * Versions answered on `target` by requests SENT after `version` had first ANSWERED there. Once
 * one request got the new version, the proxy had switched, so every later request must get it too.
 * (Ordering by send time alone would be racy: two requests sent a moment apart on different
 * connections may reach the proxy in the other order.)
 */
export function answersAfterFirst(r: LoadReport, target: string, version: string): string[] {
  const mine = r.answers.filter((a) => a.target === target)
  const first = Math.min(...mine.filter((a) => a.version === version).map((a) => a.doneAt))
  return mine.filter((a) => a.at > first).map((a) => a.version)
}
