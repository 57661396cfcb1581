#!/usr/bin/env node
// `node .ci/summary.mjs REPORT STATUS`: prints `N passed, N failed, N skipped` for vitest's JSON
// REPORT, STATUS being vitest's exit status. .ci/run ends with this line; test/unit/strict-runner
// .test.ts runs this same file on real reports, so what CI counts is what is tested.
//
// It counts per test from the report's statuses: the e2e runner may turn a skipped test into a
// failed one, and the report's aggregate counters would still call it pending.
//
// Under CI=true, a test reported as skipped in a FAILED file counts as failed: vitest marks every
// test of a suite whose beforeAll (or aroundAll) hook threw as skipped, and those tests did not
// pass; under CI nothing is skipped on purpose (the e2e runner fails `it.skip` and the like, the
// unit tier fails a missing docker client), so a skip in a failed file is a casualty of the failure.
import { readFileSync } from 'node:fs'

const [reportPath, statusArg] = process.argv.slice(2)
if (!reportPath) {
  console.error('usage: node .ci/summary.mjs REPORT [VITEST_EXIT_STATUS]')
  process.exit(2)
}
const ci = process.env.CI === 'true'
const status = Number(statusArg ?? 0)
const report = JSON.parse(readFileSync(reportPath, 'utf8'))
const SKIPPED = new Set(['pending', 'skipped', 'todo', 'disabled'])

let passed = 0
let failed = 0
let skipped = 0
for (const file of report.testResults) {
  const fileFailed = file.status === 'failed'
  // A file that failed before any test was collected (a syntax error, a throwing import).
  if (fileFailed && file.assertionResults.length === 0) failed++
  let casualties = 0
  for (const test of file.assertionResults) {
    if (test.status === 'passed') passed++
    else if (test.status === 'failed') failed++
    else if (SKIPPED.has(test.status) && ci && fileFailed) casualties++
    else if (SKIPPED.has(test.status)) skipped++
    else failed++ // a status this script does not know is no pass
  }
  if (casualties > 0) {
    failed += casualties
    console.error(`.ci/summary: ${casualties} test(s) of ${file.name} did not run because the file failed (a beforeAll hook threw?): counted as failed`)
  }
}
// vitest failed outside any test (a global setup such as the testbed, an unhandled error): that
// is a failure too, even though no test carries it.
if (status !== 0 && failed === 0) {
  console.error('.ci/summary: vitest failed outside any test (see its output above)')
  failed = 1
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
