import { inspect } from 'node:util'
import { REDACTED, redact } from './redact.js'

/**
 * Resolved secret values, kept apart from the printable config. Printing, JSON-encoding or
 * inspecting a Secrets object shows only names with `[redacted]`. The engine reads a value with
 * `get(name)` when it writes the env file or logs in, and uses `values()` / `redact()` to keep
 * every value out of logs, errors and container log tails.
 */
export class Secrets {
  readonly #values: ReadonlyMap<string, string>

  constructor(values: Iterable<readonly [string, string]> = []) {
    this.#values = new Map(values)
  }

  has(name: string): boolean {
    return this.#values.has(name)
  }

  /** The value of a secret the config refers to; loading has already checked every reference. */
  get(name: string): string {
    const value = this.#values.get(name)
    if (value === undefined) throw new Error(`cutover: secret ${name} was not loaded (only secrets the config refers to are)`)
    return value
  }

  /** A config credential: literal text, or a `{ secret }` reference. */
  resolve(value: string | { secret: string }): string {
    return typeof value === 'string' ? value : this.get(value.secret)
  }

  /** The secret env of a role or preview (`env.secret`), as NAME → value for its 0600 env file. */
  envValues(refs: readonly { name: string; secret: string }[]): Record<string, string> {
    return Object.fromEntries(refs.map((r) => [r.name, this.get(r.secret)]))
  }

  /**
   * Every secret under a name a process environment can carry, as NAME → value: what Kamal hands
   * its pre-connect, pre-deploy and post-deploy hooks. Synthetic names (`registry/password`, a
   * literal in the config) are left out: they are not secrets the user named.
   */
  asEnv(): Record<string, string> {
    return Object.fromEntries([...this.#values].filter(([name]) => /^[A-Za-z0-9_.]+$/.test(name)))
  }

  names(): string[] {
    return [...this.#values.keys()]
  }

  /** Every non-empty secret value: for masking in the Action and for redact(). */
  values(): string[] {
    return [...new Set([...this.#values.values()].filter((v) => v !== ''))]
  }

  redact(text: string): string {
    return redact(text, this.values())
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.names().map((n) => [n, REDACTED]))
  }

  toString(): string {
    return `Secrets(${this.names().join(', ')}) ${REDACTED}`
  }

  [inspect.custom](): string {
    return this.toString()
  }
}
