import { stringify } from 'yaml'
import { loadConfig, renderError, renderWarning, toPrintable } from '../../config/index.js'
import { type CliCommand, configArgs, configOptions, EXIT } from '../command.js'

/** `cutover config`: the resolved config, secrets redacted, with every warning; exit 2 on errors. */
export const configCommand: CliCommand = {
  name: 'config',
  summary: 'Check config/deploy.yml and print the resolved config (secrets redacted)',
  usage: 'cutover config [-c FILE] [-d DEST] [--json]',
  options: { ...configOptions, json: { type: 'boolean' } },
  run({ values }, io) {
    const result = loadConfig({ ...configArgs(values), cwd: io.cwd, env: io.env })
    for (const w of result.warnings) io.stderr(`warning: ${renderWarning(w)}\n`)
    if (!result.ok) {
      for (const e of result.errors) io.stderr(`error: ${renderError(e)}\n`)
      io.stderr(`cutover: ${result.errors.length} config error${result.errors.length === 1 ? '' : 's'}\n`)
      if (values.json) io.stdout(`${JSON.stringify({ ok: false, errors: result.errors, warnings: result.warnings }, null, 2)}\n`)
      return EXIT.usage
    }
    const printable = toPrintable(result.config)
    const text = values.json ? `${JSON.stringify({ ok: true, config: printable, warnings: result.warnings }, null, 2)}\n` : stringify(printable)
    // The config holds no secret values by construction; redact anyway, so a slip can't leak one.
    io.stdout(result.secrets.redact(text))
    return EXIT.ok
  },
}
