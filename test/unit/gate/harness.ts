import { afterEach, beforeEach, expect } from 'vitest'
import { waitForChecks, type GateDeps, type GateOptions, type GateResult } from '../../../src/gate/index.js'
import { memoryLogger } from '../../../src/log.js'
import { startFakeGitHub, type FakeGitHubSetup, type FakeRepo } from '../../support/github-api/index.js'

export const TOKEN = 'ghs_gateTestToken_MustNeverBeLogged_0042'
export const SHA = 'c0ffee'.padEnd(40, '7')
/** This workflow run: the deploy job(s) calling the gate live here. */
export const RUN = 7770
/** Another workflow (the CI the gate waits on). */
export const CI_RUN = 5550

export interface Harness {
  s: FakeGitHubSetup
  repo: FakeRepo
  /** Runs one gate against the server on the fake clock; its log is kept for the token check. */
  gate(opts?: Partial<GateOptions>, deps?: Partial<GateDeps>): Promise<{ result: GateResult; log: string[] }>
}

/**
 * Per test: a fresh validating server (its close() fails the test on any OpenAPI violation),
 * and a check that the token appears in no log line and no result.
 */
export function useGateHarness(): Harness {
  const seen: string[] = []
  const h = {} as Harness
  beforeEach(async () => {
    h.s = await startFakeGitHub({ token: TOKEN })
    h.repo = h.s.gh.repo('acme/shop')
    h.gate = async (opts = {}, deps = {}) => {
      const logger = memoryLogger()
      const options: GateOptions = {
        apiUrl: h.s.api.url, token: TOKEN, repository: 'acme/shop', sha: SHA, runId: RUN,
        pollIntervalMs: 10_000, discoveryWindowMs: 15_000, timeoutMs: 30 * 60_000, ...opts,
      }
      try {
        const result = await waitForChecks(options, { now: h.s.clock.now, sleep: h.s.clock.sleep, logger, ...deps })
        seen.push(JSON.stringify(result))
        return { result, log: logger.lines }
      } catch (err) {
        seen.push(String(err), (err as Error).stack ?? '')
        throw err
      } finally {
        seen.push(...logger.lines)
      }
    }
  })
  afterEach(async () => {
    await h.s.api.close()
    expect(seen.filter((line) => line.includes(TOKEN))).toEqual([])
    seen.length = 0
  })
  return h
}

/** An Actions job of some run, on the commit under test. */
export const job = (runId: number, jobId: number) => ({ runId, jobId })
