/**
 * Kamal's deployment barrier, across hosts: roles other than the primary one (workers, jobs) may
 * start their new containers at once, but stop their old ones only after the primary role's new
 * container is healthy on at least one host. If the primary role fails everywhere, the barrier
 * closes: the other roles remove their new containers and keep their old ones. A bad image then
 * never replaces a working worker just because workers have no health check of their own.
 */
export class Barrier {
  private pending: number
  private settled = false
  private open!: () => void
  private close!: (why: Error) => void
  readonly opened: Promise<void>

  /** `primaries`: the hosts where the primary role has work this run. None: the barrier is open. */
  constructor(primaries: number) {
    this.pending = primaries
    this.opened = new Promise<void>((resolve, reject) => {
      this.open = resolve
      this.close = reject
    })
    // Nobody may be waiting when it closes; that is not an unhandled rejection.
    this.opened.catch(() => undefined)
    if (primaries === 0) this.primaryHealthy()
  }

  primaryHealthy(): void {
    if (this.settled) return
    this.settled = true
    this.open()
  }

  primaryFailed(): void {
    if (this.settled) return
    this.pending -= 1
    if (this.pending > 0) return
    this.settled = true
    this.close(new Error('the primary role did not become healthy on any host'))
  }
}
