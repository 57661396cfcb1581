/**
 * A process entry like dist/action/index.js, but with the fake engine plugged into the same
 * runEntry: tests start it with a runner's environment (INPUT_*, GITHUB_*, STATE_*) to run
 * main and post as two processes, and can kill it mid-deploy. Options come as JSON in
 * CUTOVER_FAKE_ENGINE (test-only; the real entry has no such switch).
 */
import { runEntry } from '../../../src/action/entry.js'
import { FakeEngine, type FakeEngineOptions } from './fake-engine.js'

const options = JSON.parse(process.env.CUTOVER_FAKE_ENGINE ?? '{}') as FakeEngineOptions
void runEntry(new FakeEngine(options))
