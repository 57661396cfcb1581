import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// Runs a real vitest on a fixture file full of skips, with the e2e tier's runner.
const root = resolve(import.meta.dirname, '../..')
const config = join(root, 'test/fixtures/strict-runner/vitest.config.ts')

interface Report {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[]
}

/**
 * Per-test statuses, as .ci/run counts them. (The report's aggregate numPendingTests still counts
 * a forced test as pending: the worker tells the reporter a test's mode at collection time.)
 */
const counts = (r: Report) => {
  const all = r.testResults.flatMap((f) => f.assertionResults)
  const n = (...statuses: string[]) => all.filter((a) => statuses.includes(a.status)).length
  return [n('passed'), n('failed'), n('pending', 'skipped', 'todo', 'disabled')]
}

function runFixture(ci: boolean): { status: number | null; report: Report } {
  const report = join(mkdtempSync(join(tmpdir(), 'strict-')), 'report.json')
  const env: NodeJS.ProcessEnv = { ...process.env, REPORT_FILE: report }
  delete env.CI
  if (ci) env.CI = 'true'
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config], { cwd: root, env, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, report: JSON.parse(readFileSync(report, 'utf8')) as Report }
}

describe('the e2e runner', () => {
  it('fails every kind of skipped test under CI=true', () => {
    const { status, report } = runFixture(true)
    expect(status).toBe(1)
    expect(counts(report)).toEqual([2, 6, 0])
    const failed = report.testResults.flatMap((f) => f.assertionResults).filter((a) => a.status === 'failed')
    expect(failed.map((a) => a.title).sort()).toEqual(['inside it', 'is a todo', 'is marked skip', 'is skipped by skipIf', 'skips itself', 'skips itself when told to'])
    expect(failed.find((a) => a.title === 'skips itself')?.failureMessages[0]).toContain('e2e test "skips itself" skipped itself (no testbed here): under CI=true a skipped end-to-end test is a failure')
  })

  it('lets them skip outside CI', () => {
    const { status, report } = runFixture(false)
    expect(status).toBe(0)
    expect(counts(report)).toEqual([2, 0, 6])
  })
})
