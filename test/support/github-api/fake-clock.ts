/**
 * Time for tests: `sleep` returns at once and moves `now` forward, firing the scenario steps
 * scheduled with `at`. Shared by the server (timestamps, rate-limit resets) and the code under
 * test, so a 30-minute timeout runs in milliseconds and nothing asserts on wall-clock time.
 */
export class FakeClock {
  readonly start: number
  private t: number
  private steps: { at: number; run: () => void }[] = []
  /** Every sleep asked for, in order: what back-off waits were requested. */
  readonly sleeps: number[] = []

  constructor(start = Date.parse('2030-01-15T12:00:00Z')) {
    this.start = start
    this.t = start
  }

  now = (): number => this.t

  /** Elapsed ms since the clock started. */
  elapsed(): number {
    return this.t - this.start
  }

  /** Runs `step` once the clock reaches `offsetMs` after its start. */
  at(offsetMs: number, step: () => void): this {
    this.steps.push({ at: this.start + offsetMs, run: step })
    this.steps.sort((a, b) => a.at - b.at)
    return this
  }

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    this.advance(ms)
    // Yield like a real timer would, so concurrent callers interleave.
    await new Promise((resolve) => setImmediate(resolve))
  }

  advance(ms: number): void {
    const target = this.t + ms
    while (this.steps.length && this.steps[0]!.at <= target) {
      const step = this.steps.shift()!
      this.t = Math.max(this.t, step.at)
      step.run()
    }
    this.t = target
  }

  iso(offsetMs = 0): string {
    return new Date(this.t + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }
}
