/**
 * Secrets in the real Action's steps: no value (nor any line of a multi-line one, nor a derived
 * form) may appear in a log line other than its own `::add-mask::`, in the output, summary or
 * state files, or in what the Action wrote to GitHub; and its mask must be printed before the
 * value is first used.
 *
 * "First used" is observed from outside the step, each observation at or after the real use:
 * - the token: the first request the local GitHub API server received during the step;
 * - the registry password (and base64 user:password): the registry's first authorized request
 *   for the app's repository during the step (the registry's own log; same kernel clock);
 * - the app's secret and its env-file line: the env file's mtime on each host;
 * - the SSH key: the earliest of the host-side effects above. sshd on the testbed's hosts keeps
 *   no log, so the handshake itself cannot be timed; this bound is the weakest of the four.
 * Times are when the test process received each stdout line, against those wall-clock times.
 * A line is received at or after it was written, so a mask judged in time was in time; the
 * check can only be stricter than the truth, never looser.
 */
import { spawnSync } from 'node:child_process'
import { expect } from 'vitest'
import { maskValues, registryAuthForms } from '../../src/action/mask.js'
import type { GitHubApiServer } from '../support/github-api/index.js'
import { APP_SECRET, registryPassword, sshKey, TOKEN, type StepResult } from './action-harness.js'
import { pool, testbed } from './testbed.js'

const MASK = '::add-mask::'
const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

export type SecretKind = 'token' | 'registry' | 'app' | 'ssh'
export interface Secret {
  kind: SecretKind
  value: string
}

/** Every secret the steps handle, with the derived forms the Action must mask too. */
export function secrets(): Secret[] {
  return [
    // As the Action reads it: core.getInput trims the input (a key file ends with a newline).
    { kind: 'ssh', value: sshKey.trim() },
    { kind: 'token', value: TOKEN },
    ...registryAuthForms(testbed.registry.username, registryPassword).map((value) => ({ kind: 'registry' as const, value })),
    { kind: 'registry', value: registryPassword },
    { kind: 'app', value: APP_SECRET },
    { kind: 'app', value: `APP_SECRET=${APP_SECRET}` },
  ]
}

/** No secret anywhere but its own mask line: every step's stdout and stderr, its files, and `extra` (what GitHub was sent). */
export function expectNoLeaks(steps: readonly StepResult[], extra: string): void {
  expect(steps.length).toBeGreaterThan(0)
  for (const s of secrets()) {
    for (const v of maskValues(s.value)) {
      const where = (text: string) => `a ${s.kind} secret starting ${JSON.stringify(v.slice(0, 5))} is in ${text}`
      for (const step of steps) {
        const printed = step.lines.filter((l) => !l.text.startsWith(MASK) && l.text.includes(v)).map((l) => l.text)
        expect(printed, where('a log line')).toEqual([])
        expect(step.files.includes(v), where('an output, summary or state file')).toBe(false)
      }
      expect(extra.includes(v), where('what the Action sent to GitHub')).toBe(false)
    }
  }
}

/** When each kind of secret was first used during `step`, as far as the outside can see (see the file comment). */
export interface Uses {
  token?: number
  registry?: number
  app?: number
  ssh?: number
}

/**
 * Each secret's masks (every line of it) were printed, and those of every kind named in `uses`
 * before that kind's first observed use. A kind named in `uses` must have been used: a use time
 * that is undefined (nothing observed) fails, since an order check against nothing proves nothing.
 * Kinds a step does not use are left out of `uses`; their masks are still required.
 */
export function expectMaskedBeforeUse(step: StepResult, uses: Uses): void {
  for (const [kind, at] of Object.entries(uses)) {
    expect(Number.isFinite(at), `no use of the ${kind} secret was observed during the step (uses: ${JSON.stringify(uses)})`).toBe(true)
  }
  for (const s of secrets()) {
    const usedAt = uses[s.kind]
    for (const v of maskValues(s.value)) {
      const mask = step.lines.find((l) => l.stream === 'stdout' && l.text === `${MASK}${escapeData(v)}`)
      expect(mask, `no ::add-mask:: for a ${s.kind} secret starting ${JSON.stringify(v.slice(0, 5))}`).toBeDefined()
      if (s.kind in uses) expect(mask!.at, `the mask of a ${s.kind} secret came after its first use`).toBeLessThanOrEqual(usedAt!)
    }
  }
}

/** The token's first use: the first request the API server got at or after `since`. */
export function tokenUse(api: GitHubApiServer, since: number): number | undefined {
  return api.exchanges.filter((e) => e.receivedAt >= since).map((e) => e.receivedAt).sort((a, b) => a - b)[0]
}

/** The registry's first authorized request for `repository` since `since` (from the registry container's log). */
export function registryUse(repository: string, since: number): number | undefined {
  // The registry logs to stderr.
  const log = spawnSync('docker', ['logs', '--since', new Date(since - 1000).toISOString(), 'cutover-testbed-registry'], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const times = `${log.stdout}\n${log.stderr}`
    .split('\n')
    .filter((l) => l.includes('msg="authorized request"') && l.includes(`http.request.uri=/v2/${repository}/`))
    .map((l) => Date.parse(/time="([^"]+)"/.exec(l)?.[1] ?? ''))
    .filter((t) => Number.isFinite(t) && t >= since)
  return times.sort((a, b) => a - b)[0]
}

/** mtime (ms) of the service's web env file on each testbed host, when there is one. */
export async function envFileTimes(service: string): Promise<number[]> {
  const p = pool()
  try {
    const out = await Promise.all(
      testbed.hosts.slice(0, 2).map(async (h) => {
        const host = await p.host(`${h.address}:${h.sshPort}`, h.name)
        const r = await host.exec(['sh', '-c', 'stat -c %.3Y .kamal/apps/"$1"/env/roles/web.env 2>/dev/null || true', 'sh', service])
        const t = Number(r.stdout.trim()) * 1000
        return t > 0 ? [t] : []
      }),
    )
    return out.flat()
  } finally {
    await p.closeAll()
  }
}
