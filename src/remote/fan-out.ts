import type { Logger } from '../log.js'

export type HostOutcome<T> =
  | { host: string; ok: true; value: T; durationMs: number }
  | { host: string; ok: false; error: Error; durationMs: number }

/** One error for a run in which some hosts failed: which ones, and why, one line each. */
export class HostsFailedError extends Error {
  constructor(readonly failures: { host: string; error: Error }[], total: number) {
    super(
      `${failures.length} of ${total} host${total === 1 ? '' : 's'} failed:\n` +
        failures.map((f) => `  ${f.host}: ${f.error.message.replace(/\n/g, '\n    ')}`).join('\n'),
    )
    this.name = 'HostsFailedError'
  }
}

/**
 * Runs `fn` on every host at once. Each host logs through its own prefixed logger (`[vm1] …`).
 * Never rejects: every host's outcome is collected, failures included, in the hosts' order.
 */
export async function fanOut<H extends { name: string }, T>(
  hosts: readonly H[],
  logger: Logger,
  fn: (host: H, log: Logger) => Promise<T>,
): Promise<HostOutcome<T>[]> {
  return Promise.all(
    hosts.map(async (host): Promise<HostOutcome<T>> => {
      const started = performance.now()
      const log = logger.child(`[${host.name}]`)
      const durationMs = () => Math.round(performance.now() - started)
      try {
        const value = await fn(host, log)
        return { host: host.name, ok: true, value, durationMs: durationMs() }
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e))
        log.error(error.message)
        return { host: host.name, ok: false, error, durationMs: durationMs() }
      }
    }),
  )
}

/** The values when every host succeeded; otherwise one HostsFailedError naming each failure. */
export function allOrThrow<T>(outcomes: readonly HostOutcome<T>[]): T[] {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [{ host: o.host, error: o.error }]))
  if (failures.length) throw new HostsFailedError(failures, outcomes.length)
  return outcomes.map((o) => (o as Extract<HostOutcome<T>, { ok: true }>).value)
}
