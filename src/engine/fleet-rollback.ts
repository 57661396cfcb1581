/**
 * Fleet rollback: one version across the fleet. Every (host, role) whose plan has a verify step
 * is a member. A member whose watch passed asks for the verdict and waits until every member of
 * its role has passed (then it goes on to stop its old container), or until any member anywhere
 * fails: then it rolls back too. Its old container is still running at that point, so rolling
 * back is the same zero-downtime switch. With fleet rollback off, a member goes on at once.
 *
 * Waiting per role, not for the whole run: a host runs its roles one after another, so a role
 * waiting for a later role of its own host would wait forever. Roles run in the same order on
 * every host (primary first), so waits never form a cycle.
 *
 * For boot groups (a later group loop): make ONE FleetRollback for the whole run and `expect()`
 * only the current group's members before running it; a failure in group 2 then releases group 2's
 * waiters. Group 1's members already went on (their old containers are stopped but retained); a
 * group loop hands each finished member's undo to `finished()`, and calls `undoFinished()` when
 * `failure` is set: each undo starts the retained old container and switches back to it
 * (engine/verify.ts rollBack does both: `docker start` is a no-op on a running container).
 */
export class FleetRollback {
  private readonly expected = new Map<string, Set<string>>() // role → hosts
  private readonly passed = new Map<string, Set<string>>()
  private readonly waiters: { role: string; resolve: (why: string | null) => void }[] = []
  private readonly undos: { host: string; role: string; undo: () => Promise<string> }[] = []
  /** The first failure of the run: `host role: what was seen`. */
  failure: string | null = null

  constructor(readonly enabled: boolean) {}

  expect(host: string, role: string): void {
    const hosts = this.expected.get(role) ?? new Set<string>()
    hosts.add(host)
    this.expected.set(role, hosts)
  }

  /** A member (or a host that never got as far) failed: every waiting member rolls back. */
  failed(host: string, role: string, why: string): void {
    if (this.failure !== null) return
    this.failure = `${host} ${role}: ${why}`
    if (!this.enabled) return
    for (const w of this.waiters.splice(0)) w.resolve(this.failure)
  }

  /**
   * This member's watch passed: resolves null when it may go on (stop the old container), or the
   * reason every host rolls back.
   */
  verdict(host: string, role: string): Promise<string | null> {
    if (!this.enabled) return Promise.resolve(null)
    if (this.failure !== null) return Promise.resolve(this.failure)
    const passed = this.passed.get(role) ?? new Set<string>()
    passed.add(host)
    this.passed.set(role, passed)
    const waiting = new Promise<string | null>((resolve) => this.waiters.push({ role, resolve }))
    this.releaseIfDone(role)
    return waiting
  }

  /** Hosts of `role` whose verdict is still open: for the progress line while a member waits. */
  pending(role: string): string[] {
    const passed = this.passed.get(role) ?? new Set<string>()
    return [...(this.expected.get(role) ?? [])].filter((h) => !passed.has(h))
  }

  /** A member that went on past its verdict: how to undo it if a later failure rolls the fleet back. */
  finished(host: string, role: string, undo: () => Promise<string>): void {
    this.undos.push({ host, role, undo })
  }

  /** Undo every finished member (a group loop calls this when `failure` is set); each result by host and role. */
  async undoFinished(): Promise<{ host: string; role: string; said: string }[]> {
    if (!this.enabled || this.failure === null) return []
    const undos = this.undos.splice(0)
    return Promise.all(undos.map(async (u) => ({ host: u.host, role: u.role, said: await u.undo().catch((e: unknown) => `rolling back failed: ${e instanceof Error ? e.message : String(e)}`) })))
  }

  private releaseIfDone(role: string): void {
    if (this.pending(role).length > 0) return
    const [go, stay] = partition(this.waiters, (w) => w.role === role)
    this.waiters.splice(0, this.waiters.length, ...stay)
    for (const w of go) w.resolve(null)
  }
}

function partition<T>(items: readonly T[], test: (t: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((t) => !test(t))]
}
