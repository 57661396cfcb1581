import type { RunnerTestSuite as Suite, RunnerTask as Task, RunnerTestCase, TestContext } from 'vitest'
import { VitestTestRunner } from 'vitest/runners'

/**
 * The e2e tier's test runner. Under CI=true an end-to-end test that does not run is a failure,
 * not a pass: a skipped check proves nothing, and CI is where the testbed must exist.
 * - `it.skip`, `it.todo`, `it.skipIf(...)` and skipped `describe`s run as a failing test;
 * - `ctx.skip()` inside a test throws a failure instead of skipping.
 * Filtering by name (`-t`) still skips what it filters out.
 */
const strict = process.env.CI === 'true'

const failure = (task: Task, how: string): Error =>
  new Error(`e2e test "${task.name}" ${how}: under CI=true a skipped end-to-end test is a failure. Make it runnable on the testbed, or delete it.`)

export default class StrictE2eRunner extends VitestTestRunner {
  /** Tests that were marked skip/todo and now run only to fail, with why. */
  private readonly forced = new WeakMap<Task, string>()

  private get filtering(): boolean {
    return Boolean(this.config.testNamePattern)
  }

  override async onBeforeRunSuite(suite: Suite): Promise<void> {
    if (strict && !this.filtering && (suite.mode === 'skip' || suite.mode === 'todo')) suite.mode = 'run'
    await super.onBeforeRunSuite(suite)
  }

  override async onBeforeRunTask(test: Task): Promise<void> {
    if (strict && !this.filtering && test.type === 'test' && (test.mode === 'skip' || test.mode === 'todo')) {
      this.forced.set(test, test.mode === 'todo' ? 'is a todo' : 'is marked skip')
      test.mode = 'run'
    }
    await super.onBeforeRunTask(test)
  }

  // Runs the test's own function, or fails in its place when the test was forced to run.
  async runTask(test: RunnerTestCase): Promise<void> {
    const how = this.forced.get(test)
    if (how) throw failure(test, how)
    await VitestTestRunner.getTestFn(test)()
  }

  override extendTaskContext(context: TestContext): TestContext {
    const extended = super.extendTaskContext(context) as TestContext & { skip: TestContext['skip'] }
    if (strict) {
      ;(extended as { skip: unknown }).skip = ((condition?: boolean | string, note?: string) => {
        if (condition === false) return undefined
        const why = typeof condition === 'string' ? condition : note
        throw failure(extended.task, `skipped itself${why ? ` (${why})` : ''}`)
      }) as TestContext['skip']
    }
    return extended
  }
}
