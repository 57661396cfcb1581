import type { ExecOptions, ExecResult, RemoteHost } from './host.js'
import { RemoteError } from './errors.js'
import { shortCommand } from './ssh-host.js'

/**
 * `x-cutover.fanout.max_connections` when neither the config nor `--max-connections` says: Kamal
 * starts up to 30 SSH connections at once by default (its sshkit `max_concurrent_starts`), so a
 * fleet Kamal deploys in one wave is deployed in one wave by cutover too, while a runner facing
 * hundreds of hosts still opens a bounded number (file descriptors, handshake CPU on a 2-core
 * runner, NAT tables and bastions that cap connections per source).
 */
export const DEFAULT_MAX_CONNECTIONS = 30

/**
 * How long an idle connection stays open while another host waits for a slot. A host's next
 * command follows its last one within a few milliseconds (its steps run back to back), so it
 * keeps its connection through a run of steps; a host that sleeps (a health poll's interval, a
 * boot group's wait) or waits on Kamal's barrier is idle for longer and gives its slot away.
 */
export const IDLE_GRACE_MS = 100

/**
 * A connection to one host: its RemoteHost (whose close() ends the connection). `gone` is told
 * when the connection ends by itself (the host dropped it); the bound then frees its slot.
 */
export type Dial = (target: string, gone: () => void) => Promise<RemoteHost>

export interface BoundOptions {
  graceMs?: number
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
  now?: () => number
}

interface Entry {
  target: string
  conn: Promise<RemoteHost>
  /** Commands (or connects) running on it now. */
  users: number
  idleSince: number
  timer?: unknown
  /** The host dropped it: the slot is free; holders of its handle get its own "connection closed" error. */
  dropped: boolean
}

/**
 * At most `max` SSH connections open at once, over any number of hosts.
 *
 * A slot is held only while a connection is open AND a command runs on it, or while it idles
 * and nobody waits. A command takes its host's open connection (no slot needed), or waits for a
 * free slot and dials. When every slot is taken, the idle connections (no command running for
 * IDLE_GRACE_MS) are closed, one per waiter, oldest waiter first.
 *
 * Why this cannot deadlock with Kamal's barrier or boot groups: nothing waits while holding a
 * slot except a running remote command, and every remote command ends (the host's `timeout`).
 * A worker waiting on the barrier runs no command, so its connection is idle and is closed for
 * the primary host that waits for a slot; the worker dials again when the barrier opens. A boot
 * group's hosts run only after the previous group finished, so they never compete with it.
 * Waiters are served first come, first served, and the engine starts hosts in the targets'
 * order, primary role first (engine/targets.ts), so the primary hosts queue first.
 *
 * With `max` at least the number of hosts nobody ever waits: one connection per host for the
 * whole run, as without a bound.
 */
export class ConnectionBound {
  private readonly open = new Map<string, Entry>()
  private readonly handles = new Map<string, Promise<RemoteHost>>()
  private readonly queue: { target: string; grant: (e: Entry) => void }[] = []
  /** Slots whose connection is being closed: still counted until it is. */
  private closing = 0
  private readonly graceMs: number
  private readonly setTimer: (fn: () => void, ms: number) => unknown
  private readonly clearTimer: (handle: unknown) => void
  private readonly now: () => number
  /** The most connections that were open at once (tests and the benchmark read it). */
  peak = 0

  constructor(
    private readonly dial: Dial,
    readonly max: number,
    options: BoundOptions = {},
  ) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`max_connections must be a whole number of at least 1, not ${max}`)
    this.graceMs = options.graceMs ?? IDLE_GRACE_MS
    this.setTimer = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms))
    this.clearTimer = options.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout))
    this.now = options.now ?? Date.now
  }

  /** Connections open (or opening, or closing) now. */
  get inUse(): number {
    let n = this.closing
    for (const e of this.open.values()) if (!e.dropped) n++
    return n
  }

  /** Hosts waiting for a slot now. */
  get waiting(): number {
    return this.queue.length
  }

  /**
   * The host's RemoteHost once it could be connected (a connect error rejects here, as an
   * unbounded dial would). Each command on it holds a slot only while it runs.
   */
  host(target: string, name = target): Promise<RemoteHost> {
    // One handle per host, as an unbounded pool gives: callers compare and share it. A handle
    // the caller closed, or whose connection the host dropped, is not handed out again.
    let handle = this.handles.get(target)
    if (!handle) {
      handle = this.newHandle(target, name)
      this.handles.set(target, handle)
      handle.catch(() => this.handles.get(target) === handle && this.handles.delete(target))
    }
    return handle
  }

  private async newHandle(target: string, name: string): Promise<RemoteHost> {
    const stale = this.open.get(target)
    if (stale?.dropped && stale.users === 0) this.open.delete(target)
    let last: RemoteHost | undefined
    let closed = false
    await this.use(target, async (h) => (last = h))
    const hostName = last?.name ?? name
    const use = <T>(argv: readonly string[], fn: (h: RemoteHost) => Promise<T>): Promise<T> => {
      // Closed by its caller: a command fails as on a closed connection; it never dials again.
      if (closed) return Promise.reject(new RemoteError(`${hostName}: cannot run ${shortCommand(argv)}: the SSH connection is closed`))
      const entry = this.open.get(target)
      if (last && entry?.dropped && entry.conn) return entry.conn.then(fn)
      return this.use(target, async (h) => fn((last = h)))
    }
    return {
      name: hostName,
      exec: (argv, options?: ExecOptions): Promise<ExecResult> => use(argv, (h) => h.exec(argv, options)),
      upload: (content, path, mode) => use(['upload', path], (h) => h.upload(content, path, mode)),
      // A stream (logs --follow, an interactive exec) holds its slot for as long as it runs.
      stream: (argv, options) =>
        use(argv, (h) => {
          if (!h.stream) throw new RemoteError(`${hostName}: this connection cannot stream output`)
          return h.stream(argv, options)
        }),
      close: () => {
        closed = true
        return this.closeHost(target)
      },
    }
  }

  /** Run `fn` on the host's connection, holding a slot meanwhile. */
  async use<T>(target: string, fn: (host: RemoteHost) => Promise<T>): Promise<T> {
    const entry = await this.acquire(target)
    try {
      return await fn(await entry.conn)
    } finally {
      this.release(entry)
    }
  }

  private acquire(target: string): Promise<Entry> {
    const open = this.open.get(target)
    if (open && !open.dropped) return Promise.resolve(this.join(open))
    if (open?.dropped && open.users === 0) this.open.delete(target)
    if (this.inUse < this.max && !this.queue.length) return Promise.resolve(this.start(target))
    return new Promise((grant) => {
      this.queue.push({ target, grant })
      this.pump()
    })
  }

  private join(entry: Entry): Entry {
    entry.users++
    if (entry.timer !== undefined) this.clearTimer(entry.timer)
    delete entry.timer
    return entry
  }

  private start(target: string): Entry {
    const entry: Entry = { target, users: 1, idleSince: this.now(), dropped: false, conn: undefined as unknown as Promise<RemoteHost> }
    entry.conn = this.dial(target, () => this.gone(entry))
    this.open.set(target, entry)
    this.peak = Math.max(this.peak, this.inUse)
    // A failed dial holds no slot: the next ask dials again.
    entry.conn.catch(() => {
      if (this.open.get(target) === entry) this.open.delete(target)
      this.pump()
    })
    return entry
  }

  private release(entry: Entry): void {
    entry.users--
    if (entry.users > 0) return
    entry.idleSince = this.now()
    if (this.open.get(entry.target) !== entry || entry.dropped) return this.pump()
    this.pump()
  }

  /** The host ended the connection by itself: its slot is free again. */
  private gone(entry: Entry): void {
    if (entry.dropped) return
    entry.dropped = true
    this.handles.delete(entry.target)
    if (entry.timer !== undefined) this.clearTimer(entry.timer)
    this.pump()
  }

  /** Serve waiters: joining a connection that opened meanwhile, else taking a free slot; else close idle connections for them. */
  private pump(): void {
    for (let i = 0; i < this.queue.length; ) {
      const w = this.queue[i]!
      const open = this.open.get(w.target)
      if (open && !open.dropped) {
        this.queue.splice(i, 1)
        w.grant(this.join(open))
      } else i++
    }
    while (this.queue.length && this.inUse < this.max) {
      const w = this.queue.shift()!
      const open = this.open.get(w.target)
      if (open?.dropped && open.users === 0) this.open.delete(w.target)
      w.grant(this.open.has(w.target) && !this.open.get(w.target)!.dropped ? this.join(this.open.get(w.target)!) : this.start(w.target))
    }
    if (!this.queue.length) return
    let needed = this.queue.length
    for (const e of this.open.values()) {
      if (needed === 0) break
      if (e.users > 0 || e.dropped) continue
      needed--
      if (e.timer === undefined) e.timer = this.setTimer(() => this.evict(e), Math.max(0, this.graceMs - (this.now() - e.idleSince)))
    }
  }

  private evict(entry: Entry): void {
    delete entry.timer
    if (entry.users > 0 || entry.dropped || this.open.get(entry.target) !== entry || !this.queue.length) return
    this.open.delete(entry.target)
    this.closing++
    // The slot is given away only once the connection is closed, so the count on the hosts never exceeds `max`.
    void entry.conn
      .then((h) => h.close())
      .catch(() => undefined)
      .finally(() => {
        this.closing--
        this.pump()
      })
  }

  private async closeHost(target: string): Promise<void> {
    this.handles.delete(target)
    const entry = this.open.get(target)
    if (!entry) return
    this.open.delete(target)
    if (entry.timer !== undefined) this.clearTimer(entry.timer)
    this.closing++
    try {
      await (await entry.conn.catch(() => null))?.close()
    } finally {
      this.closing--
      this.pump()
    }
  }

  /** Closes every connection. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((t) => this.closeHost(t)))
  }
}
