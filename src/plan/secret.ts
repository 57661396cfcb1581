import { inspect } from 'node:util'

/**
 * A value that must never be printed: it serializes, stringifies and inspects as `[REDACTED]`,
 * so a plan (steps holding an env file or a registry password) can be logged, dumped as JSON for
 * `--dry-run`, or snapshotted in a test without leaking. Only `reveal()` gives the value, and
 * only the executor calls it (to upload a file or feed stdin).
 */
export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  reveal(): string {
    return this.#value
  }

  toString(): string {
    return '[REDACTED]'
  }

  toJSON(): string {
    return '[REDACTED]'
  }

  [inspect.custom](): string {
    return 'Secret([REDACTED])'
  }
}
