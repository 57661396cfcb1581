import type { Exec, Step } from '../plan/steps.js'
import type { ExecResult } from '../remote/host.js'

/**
 * A recreate role's outage while its steps run (see plan/strategy.ts): it starts when the step
 * marked `downtime: 'starts'` (the old containers' stop) begins and ends when the step marked
 * `ends` (the new container's switch or readiness) has succeeded; with no `ends` step, the stop
 * itself ends it. Until it ended, a failure restarts the stopped containers (the stop's `restore`),
 * so a failed recreate leaves the old version serving again. Blue-green steps carry no marks: no
 * outage, nothing to restore.
 */
export class Outage {
  private startedAt: number | null = null
  private restore: Exec | null = null
  private over = false
  /** The measured downtime, once the role serves again. */
  downtimeMs: number | undefined

  constructor(private readonly now: () => number) {}

  before(step: Step): void {
    if (step.downtime !== 'starts') return
    this.startedAt = this.now()
    if (step.kind === 'stop' && step.restore) this.restore = step.restore
  }

  after(step: Step): void {
    if (this.startedAt === null || this.over) return
    if (step.downtime === 'starts') this.downtimeMs = this.now() - this.startedAt
    if (step.downtime === 'ends') {
      this.downtimeMs = this.now() - this.startedAt
      this.over = true
    }
  }

  /** After a failure: restart what the stop took down, if the new container never took over. */
  async undo(send: (exec: Exec) => Promise<ExecResult>): Promise<string> {
    if (!this.restore || this.over) return ''
    const restore = this.restore
    this.restore = null
    const r = await send(restore).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }))
    return r.code === 0
      ? '; restarted the previous container (recreate had stopped it)'
      : `; restarting the previous container failed too (${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}): the role is down until the next run`
  }
}
