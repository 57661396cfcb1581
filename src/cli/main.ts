import { parseArgs } from 'node:util'
import { ConfigErrors, renderError } from '../config/index.js'
import { closest } from '../config/suggest.js'
import { type CliIO, type CliCommand, EXIT, UsageError } from './command.js'
import { commands } from './commands/index.js'
import { failureJson, printJson, requestedVersion } from './json-result.js'

function help(list: readonly CliCommand[]): string {
  const width = Math.max(...list.map((c) => c.name.length))
  return [
    'Usage: cutover <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `cutover <command> --help` for its options. Exit codes: 0 success, 1 failure, 2 usage or config error.',
    '',
  ].join('\n')
}

function find(list: readonly CliCommand[], name: string, where: string, io: CliIO): CliCommand | undefined {
  const command = list.find((c) => c.name === name)
  if (command) return command
  const guess = closest(name, list.map((c) => c.name))
  io.stderr(`${where}: unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ''}\n\n${help(list)}`)
  return undefined
}

/**
 * Runs one CLI invocation and returns its exit code; never throws. Everything it prints, a
 * failure's message and stack included, goes through the redactors the command registered
 * (loadForCli registers the loaded secrets'), so a secret in a remote's stderr or an exception
 * reaches neither the terminal nor a CI log.
 */
export async function main(argv: readonly string[], outer: CliIO, list: readonly CliCommand[] = commands): Promise<number> {
  const redactors: ((text: string) => string)[] = []
  const redact = (text: string): string => redactors.reduce((t, r) => r(t), text)
  const io: CliIO = {
    ...outer,
    stdout: (text) => outer.stdout(redact(text)),
    stderr: (text) => outer.stderr(redact(text)),
    addRedactor: (r) => {
      redactors.push(r)
      outer.addRedactor?.(r)
    },
  }
  const [name, ...words] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? io.stderr : io.stdout)(help(list))
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const found = find(list, name, 'cutover', io)
  if (!found) return EXIT.usage
  // A group (`cutover app …`): the next word picks the subcommand.
  let command = found
  let rest = words
  if (found.subcommands) {
    const [sub, ...subRest] = words
    const group = `cutover ${found.name}`
    if (sub === undefined || sub === '--help' || sub === '-h') {
      ;(sub === undefined ? io.stderr : io.stdout)(help(found.subcommands).replace('Usage: cutover <command>', `Usage: ${group} <command>`).replace('`cutover <command> --help`', `\`${group} <command> --help\``))
      return sub === undefined ? EXIT.usage : EXIT.ok
    }
    const chosen = find(found.subcommands, sub, group, io)
    if (!chosen) return EXIT.usage
    command = { ...chosen, name: `${found.name} ${chosen.name}` }
    rest = subRest
  }
  // Deploy-like commands owe `--json` one object whatever happens (json-result.ts); a failure below
  // prints the failure's object, since the command never got to print its result.
  const wantsJson = command.jsonResult === true && rest.includes('--json')
  let parsed: ReturnType<typeof parseArgs> | undefined
  const failed = (message: string): void => {
    if (wantsJson) printJson(io, failureJson(message, parsed ? requestedVersion(parsed.values, parsed.positionals) : undefined))
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`Usage: ${command.usage}\n\n${command.summary}\n`)
      return EXIT.ok
    }
    try {
      parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: command.positionals ?? false, strict: true })
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err))
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`cutover ${command.name}: ${err.message}\nUsage: ${command.usage}\n`)
      failed(`usage: ${err.message}`)
      return EXIT.usage
    }
    if (err instanceof ConfigErrors) {
      for (const e of err.errors) io.stderr(`error: ${renderError(e)}\n`)
      failed(err.errors.map((e) => renderError(e)).join('\n'))
      return EXIT.usage
    }
    // A failure at run time: the message, not a stack trace (CUTOVER_DEBUG=1 shows the stack).
    io.stderr(`cutover ${command.name}: ${err instanceof Error ? err.message : String(err)}\n`)
    failed(err instanceof Error ? err.message : String(err))
    if (io.env.CUTOVER_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`)
    return EXIT.failure
  }
}
