import pkg from '../../../package.json'
import { type CliCommand, EXIT } from '../command.js'

/** `cutover version`: the CLI's own version (the bundle carries it: package.json is inlined at build time). */
export const cutoverVersionCommand: CliCommand = {
  name: 'version',
  summary: "Show cutover's version",
  usage: 'cutover version',
  options: {},
  run(_args, io) {
    io.stdout(`${pkg.version}\n`)
    return EXIT.ok
  },
}
