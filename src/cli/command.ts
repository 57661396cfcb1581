import type { ParseArgsConfig } from 'node:util'

/** Exit codes across the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/** What a command may touch; tests pass their own. */
export interface CliIO {
  stdout(text: string): void
  stderr(text: string): void
  env: Record<string, string | undefined>
  cwd: string
  /**
   * Registers how to take secrets out of text (loadForCli does, once the secrets are loaded);
   * main then passes everything printed through it, errors included. Absent: nothing to register.
   */
  addRedactor?(redact: (text: string) => string): void
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>

/**
 * One subcommand. Adding one is a new file in cli/commands/ exporting a CliCommand, plus its line in
 * cli/commands/index.ts. Options are node's util.parseArgs options (strict: unknown flags are usage errors).
 */
export interface CliCommand {
  name: string
  summary: string
  /** e.g. `cutover config [-c FILE] [-d DEST] [--json]` */
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  /** Default false: extra words are usage errors. */
  positionals?: boolean
  run(args: { values: OptionValues; positionals: string[] }, io: CliIO): Promise<number> | number
  /**
   * Deploy-like commands: under `--json`, main prints one result object on every exit, a failure
   * before any host included (json-result.ts). The command prints it itself when it gets a result.
   */
  jsonResult?: true
  /**
   * A group (`cutover app logs …`): the next word names one of these, which then runs as any
   * command does; `run` is not called. Each subcommand's `name` is its own word (`logs`).
   */
  subcommands?: readonly CliCommand[]
}

/** A mistake in how the CLI was called: exit 2 with the message and the usage line. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Options every command that reads the config shares, named as Kamal names them. */
export const configOptions = {
  config: { type: 'string', short: 'c' },
  'config-file': { type: 'string' },
  destination: { type: 'string', short: 'd' },
} as const satisfies CliCommand['options']

export function configArgs(values: OptionValues): { configFile?: string; destination?: string } {
  const file = values.config ?? values['config-file']
  const dest = values.destination
  if (values.config !== undefined && values['config-file'] !== undefined) throw new UsageError('give -c/--config or --config-file, not both')
  return { ...(typeof file === 'string' ? { configFile: file } : {}), ...(typeof dest === 'string' ? { destination: dest } : {}) }
}
