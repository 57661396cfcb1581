import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// Runs a real vitest on fixture files with the e2e tier's runner, then counts its JSON report
// with .ci/summary.mjs, the script .ci/run ends with: what is checked here is what CI prints.
const root = resolve(import.meta.dirname, '../..')
const config = join(root, 'test/fixtures/strict-runner/vitest.config.ts')

interface Report {
  testResults: { name: string; status: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[]
}

const env = (ci: boolean, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra }
  delete e.CI
  if (ci) e.CI = 'true'
  return e
}

function runFixture(file: string, ci: boolean): { status: number | null; reportFile: string; report: Report } {
  const reportFile = join(mkdtempSync(join(tmpdir(), 'strict-')), 'report.json')
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config, file], { cwd: root, env: env(ci, { REPORT_FILE: reportFile }), encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, reportFile, report: JSON.parse(readFileSync(reportFile, 'utf8')) as Report }
}

/** The last line of .ci/run for this report and vitest exit status (with CI=true, as .ci/run sets it). */
function ciSummary(reportFile: string, status: number | null, ci = true): { line: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, '.ci/summary.mjs'), reportFile, String(status)], { cwd: root, env: env(ci), encoding: 'utf8', timeout: 30_000 })
  expect(r.status, r.stderr).toBe(0)
  return { line: r.stdout.trim(), stderr: r.stderr }
}

const tests = (r: Report) => r.testResults.flatMap((f) => f.assertionResults)

describe('the e2e runner and the CI summary', () => {
  it('fails every kind of skipped test under CI=true', () => {
    const { status, reportFile, report } = runFixture('skips.fixture.ts', true)
    expect(status).toBe(1)
    expect(ciSummary(reportFile, status).line).toBe('2 passed, 6 failed, 0 skipped')
    const failed = tests(report).filter((a) => a.status === 'failed')
    expect(failed.map((a) => a.title).sort()).toEqual(['inside it', 'is a todo', 'is marked skip', 'is skipped by skipIf', 'skips itself', 'skips itself when told to'])
    expect(failed.find((a) => a.title === 'skips itself')?.failureMessages[0]).toContain('e2e test "skips itself" skipped itself (no testbed here): under CI=true a skipped end-to-end test is a failure')
  })

  it('lets them skip outside CI', () => {
    const { status, reportFile } = runFixture('skips.fixture.ts', false)
    expect(status).toBe(0)
    expect(ciSummary(reportFile, status, false).line).toBe('2 passed, 0 failed, 6 skipped')
  })

  it('under CI=true, the tests of a suite whose beforeAll threw count as failed (vitest reports them skipped)', () => {
    const { status, reportFile, report } = runFixture('before-all-fails.fixture.ts', true)
    expect(status).toBe(1)
    // What vitest itself says: the file failed, its suite's tests "skipped".
    expect(report.testResults.map((f) => f.status)).toEqual(['failed'])
    expect(tests(report).map((a) => [a.title, a.status])).toEqual([
      ['would use it', 'skipped'],
      ['would use it again', 'skipped'],
      ['would use it deeper', 'skipped'],
      ['runs outside the failed suite', 'passed'],
    ])
    const summary = ciSummary(reportFile, status)
    expect(summary.line).toBe('1 passed, 3 failed, 0 skipped')
    expect(summary.stderr).toContain('3 test(s) of')
    expect(summary.stderr).toContain('before-all-fails.fixture.ts did not run because the file failed')
  })

  it('outside CI the same report keeps them skipped, and still counts the run as failed', () => {
    const { status, reportFile } = runFixture('before-all-fails.fixture.ts', false)
    expect(status).toBe(1)
    expect(ciSummary(reportFile, status, false).line).toBe('1 passed, 1 failed, 3 skipped')
  })
})
