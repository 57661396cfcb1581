import { describe, expect, it } from 'vitest'
import { CI_RUN, RUN, SHA, job, useGateHarness } from './harness.js'

// What the gate decides, end to end through the validating GitHub API server.

const h = useGateHarness()

describe('gate outcomes', () => {
  it('passes when every other check is green, ignoring its own job', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.repo.addCheckRun(SHA, { name: 'test', status: 'completed', conclusion: 'skipped', actions: job(CI_RUN, 2) })
    h.repo.addCheckRun(SHA, { name: 'deploy', status: 'in_progress', actions: job(RUN, 3) })
    const { result, log } = await h.gate()
    expect(result).toMatchObject({ status: 'passed', noChecks: false })
    expect(result.checks.map((c) => c.name)).toEqual(['build', 'test'])
    expect(result.ignored.map((c) => c.name)).toEqual(['deploy'])
    // "All checks" can still grow while other workflows start: it waits out the discovery window.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(15_000)
    expect(log).toContain("info: gate: ignoring this run's own checks: deploy")
  })

  it('passes at the first poll on a commit whose checks finished long ago (a scheduled redeploy)', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.repo.addCheckRun(SHA, { name: 'test', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 2) })
    h.s.clock.advance(6 * 3_600_000)
    const started = h.s.clock.now()
    const { result } = await h.gate()
    expect(result).toMatchObject({ status: 'passed', polls: 1 })
    expect(h.s.clock.now() - started).toBe(0)
  })

  it('passes at the first poll when an exact list of required checks is all green', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.repo.addCheckRun(SHA, { name: 'slow-e2e', status: 'in_progress', actions: job(CI_RUN, 2) })
    const { result } = await h.gate({ required: ['build'] })
    expect(result).toMatchObject({ status: 'passed', polls: 1, elapsedMs: 0 })
  })

  it('fails at once on one failed check, naming it and linking to it', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.repo.addCheckRun(SHA, { name: 'test', status: 'completed', conclusion: 'failure', actions: job(CI_RUN, 2) })
    h.repo.addCheckRun(SHA, { name: 'lint', status: 'in_progress', actions: job(CI_RUN, 3) })
    const { result } = await h.gate()
    const link = `https://github.com/acme/shop/actions/runs/${CI_RUN}/job/2`
    expect(result).toMatchObject({ status: 'failed', reason: 'check-failed', polls: 1, failed: [{ name: 'test', detail: 'failure', url: link }] })
    expect(result.summary).toContain('check "test" (failure)')
    expect(result.summary).toContain(link)
  })

  it.each(['cancelled', 'timed_out', 'action_required'])('treats conclusion %s as failed by default', async (conclusion) => {
    h.repo.addCheckRun(SHA, { name: 'test', status: 'completed', conclusion, actions: job(CI_RUN, 1) })
    const { result } = await h.gate()
    expect(result).toMatchObject({ status: 'failed', failed: [{ name: 'test', detail: conclusion }] })
  })

  it('accepts the conclusions it is told to', async () => {
    h.repo.addCheckRun(SHA, { name: 'flaky', status: 'completed', conclusion: 'cancelled', actions: job(CI_RUN, 1) })
    const { result } = await h.gate({ allowedConclusions: ['success', 'cancelled'] })
    expect(result.status).toBe('passed')
  })

  it('waits while checks are pending, then passes when they turn green', async () => {
    const test = h.repo.addCheckRun(SHA, { name: 'test', status: 'queued', actions: job(CI_RUN, 1) })
    h.s.clock.at(20_000, () => h.repo.update(test, 'in_progress'))
    h.s.clock.at(95_000, () => h.repo.update(test, 'completed', 'success'))
    const { result, log } = await h.gate()
    expect(result).toMatchObject({ status: 'passed' })
    expect(result.elapsedMs).toBeGreaterThanOrEqual(95_000)
    expect(log).toContain('info: gate: 0 of 1 checks done; waiting on test (queued)')
    expect(log).toContain('info: gate: 0 of 1 checks done; waiting on test (in_progress)')
  })

  it('waits while pending, then fails when one turns red', async () => {
    const test = h.repo.addCheckRun(SHA, { name: 'test', status: 'in_progress', actions: job(CI_RUN, 1) })
    h.s.clock.at(40_000, () => h.repo.update(test, 'completed', 'failure'))
    const { result } = await h.gate()
    expect(result).toMatchObject({ status: 'failed', reason: 'check-failed', failed: [{ name: 'test' }] })
  })

  it('times out naming the checks still pending', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.repo.addCheckRun(SHA, { name: 'e2e', status: 'in_progress', actions: job(CI_RUN, 2) })
    const { result } = await h.gate({ timeoutMs: 120_000 })
    expect(result).toMatchObject({ status: 'timed-out', pending: [{ name: 'e2e', detail: 'in_progress' }], missing: [] })
    expect(result.elapsedMs).toBe(120_000)
    expect(result.summary).toMatch(/still pending: e2e \(in_progress\)/)
    expect(result.summary).toContain(`/actions/runs/${CI_RUN}/job/2`)
  })
})

describe('commit statuses', () => {
  it('gates a statuses-only repository (no check runs at all)', async () => {
    h.repo.setStatus(SHA, 'ci/jenkins', 'pending', 'https://jenkins.example.com/job/7')
    h.s.clock.at(30_000, () => h.repo.setStatus(SHA, 'ci/jenkins', 'success', 'https://jenkins.example.com/job/7'))
    const { result } = await h.gate()
    expect(result).toMatchObject({ status: 'passed', checks: [{ name: 'ci/jenkins', source: 'status', state: 'passed' }] })
    expect(result.elapsedMs).toBeGreaterThanOrEqual(30_000)
  })

  it('fails on a failed or errored status, with its target link', async () => {
    h.repo.setStatus(SHA, 'ci/jenkins', 'error', 'https://jenkins.example.com/job/8')
    const { result } = await h.gate()
    expect(result).toMatchObject({ status: 'failed', failed: [{ name: 'ci/jenkins', source: 'status', url: 'https://jenkins.example.com/job/8' }] })
    expect(result.summary).toContain('status "ci/jenkins" (error)')
  })

  it('needs both: a green check run does not hide a pending status', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    h.repo.setStatus(SHA, 'security/scan', 'pending')
    const { result } = await h.gate({ timeoutMs: 60_000 })
    expect(result).toMatchObject({ status: 'timed-out', pending: [{ name: 'security/scan', source: 'status' }] })
  })
})

describe('no checks at all', () => {
  it('passes by default, after the discovery window, with a warning', async () => {
    const { result, log } = await h.gate()
    expect(result).toMatchObject({ status: 'passed', noChecks: true })
    expect(result.elapsedMs).toBeGreaterThanOrEqual(15_000)
    expect(log.some((l) => l.startsWith('warn: ') && l.includes('no checks or statuses'))).toBe(true)
  })

  it('fails when told that no checks means fail', async () => {
    const { result } = await h.gate({ whenNoChecks: 'fail' })
    expect(result).toMatchObject({ status: 'failed', reason: 'no-checks' })
    expect(result.summary).toContain('when-no-checks is "fail"')
  })

  it("counts a commit with only this run's own checks as having none", async () => {
    h.repo.addCheckRun(SHA, { name: 'deploy', status: 'in_progress', actions: job(RUN, 1) })
    const { result } = await h.gate({ whenNoChecks: 'fail' })
    expect(result).toMatchObject({ status: 'failed', reason: 'no-checks', ignored: [{ name: 'deploy' }] })
  })

  it('finds a check created late, inside the discovery window', async () => {
    h.s.clock.at(12_000, () => h.repo.addCheckRun(SHA, { name: 'late', status: 'queued', actions: job(CI_RUN, 1) }))
    const { result } = await h.gate({ whenNoChecks: 'pass', timeoutMs: 60_000 })
    expect(result).toMatchObject({ status: 'timed-out', pending: [{ name: 'late' }] })
  })
})

describe('required checks', () => {
  it('requires only what matches the names and patterns', async () => {
    for (const [i, name] of ['build (linux)', 'build (macos)', 'lint'].entries()) {
      h.repo.addCheckRun(SHA, { name, status: 'completed', conclusion: 'success', actions: job(CI_RUN, i) })
    }
    h.repo.addCheckRun(SHA, { name: 'docs-preview', status: 'completed', conclusion: 'failure', actions: job(CI_RUN, 9) })
    const { result } = await h.gate({ required: ['build (*)', 'lint'] })
    expect(result.status).toBe('passed')
    expect(result.checks.map((c) => c.name)).toEqual(['build (linux)', 'build (macos)', 'lint'])
  })

  it('lets * match across slashes in names like "CI / test (20)"', async () => {
    h.repo.addCheckRun(SHA, { name: 'CI / test (20)', status: 'in_progress', actions: job(CI_RUN, 1) })
    const { result } = await h.gate({ required: ['CI*'], timeoutMs: 30_000 })
    expect(result).toMatchObject({ status: 'timed-out', pending: [{ name: 'CI / test (20)' }] })
  })

  it('fails after the discovery window when a required check never appears, listing what exists', async () => {
    h.repo.addCheckRun(SHA, { name: 'build', status: 'completed', conclusion: 'success', actions: job(CI_RUN, 1) })
    const { result } = await h.gate({ required: ['build', 'e2e-*'] })
    expect(result).toMatchObject({ status: 'failed', reason: 'required-missing', missing: ['e2e-*'] })
    expect(result.summary).toContain('Checks on this commit: build')
  })
})
