import type { RemoteHost } from '../remote/host.js'

/**
 * One connection per host for the whole run, opened on first use. A failed connect is remembered
 * so every later use on that host reports the same error instead of retrying mid-run.
 */
export class HostPool {
  readonly #open = new Map<string, Promise<RemoteHost>>()

  constructor(private readonly connect: (host: string) => Promise<RemoteHost>) {}

  get(host: string): Promise<RemoteHost> {
    let conn = this.#open.get(host)
    if (!conn) {
      conn = this.connect(host)
      this.#open.set(host, conn)
    }
    return conn
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()]
    this.#open.clear()
    await Promise.all(all.map((c) => c.then((h) => h.close()).catch(() => undefined)))
  }
}
