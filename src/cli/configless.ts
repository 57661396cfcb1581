import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { CLI_FIELDS, checkConfigless, type ConfiglessInput } from '../config/configless/spec.js'
import { loadConfigless } from '../config/configless/load.js'
import { ConfigErrors, DEFAULT_CONFIG_FILE, renderWarning } from '../config/index.js'
import { shortSecretsWarning } from '../secrets/index.js'
import { type CliCommand, type CliIO, type OptionValues, UsageError } from './command.js'
import { cliLogger, type Loaded } from './context.js'

/**
 * `cutover deploy IMAGE --host H --server S …`: a config-less deploy. These flags become the
 * config a Kamal user would write (src/config/configless), and from there the deploy is the same
 * as any other: same lock, observe, plan, diff, result.
 */
export const configlessOptions = {
  host: { type: 'string' },
  server: { type: 'string', multiple: true },
  service: { type: 'string' },
  env: { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
  volume: { type: 'string', multiple: true },
  'app-port': { type: 'string' },
  'health-path': { type: 'string' },
  ssl: { type: 'boolean' },
  'registry-user': { type: 'string' },
} as const satisfies CliCommand['options']

export const CONFIGLESS_USAGE =
  'cutover deploy IMAGE --host HOST --server [USER@]SERVER[:PORT]… [--service NAME] [--env K=V…] [--secret NAME…] [--volume NAME:/path…] ' +
  '[--app-port P] [--health-path /up] [--ssl] [--registry-user U] [--known-hosts FILE] [--ssh-key FILE] [--dry-run] [--json]'

/** Config-file flags that mean nothing without a config file (the image is given, so is its tag). */
const CONFIG_ONLY = ['config', 'config-file', 'destination', 'version', 'ref', 'skip-build', 'skip-push', 'builder'] as const

/** The registry password's environment variables, cutover's first, then Kamal's. */
export const REGISTRY_PASSWORD_VARIABLES = ['CUTOVER_REGISTRY_PASSWORD', 'KAMAL_REGISTRY_PASSWORD'] as const

const list = (v: OptionValues[string]): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)])
const str = (v: OptionValues[string]): string | undefined => (typeof v === 'string' ? v : undefined)

/**
 * The IMAGE of a config-less deploy, or null for a config deploy. Flags that belong to only one
 * of the two modes are usage errors in the other, named.
 */
export function configlessImage(values: OptionValues, positionals: readonly string[]): string | null {
  if (positionals.length > 1) throw new UsageError(`expected one IMAGE, got ${positionals.length} words: ${positionals.map((p) => JSON.stringify(p)).join(' ')}`)
  const image = positionals[0]
  const given = (keys: readonly string[]) => keys.filter((k) => values[k] !== undefined && values[k] !== false)
  if (image === undefined) {
    const stray = given(Object.keys(configlessOptions))
    if (stray.length) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')} ${stray.length === 1 ? 'belongs' : 'belong'} to a config-less deploy: give the IMAGE too (cutover deploy IMAGE --host H --server S), or put the setting in config/deploy.yml`)
    return null
  }
  const stray = given(CONFIG_ONLY)
  if (stray.length) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')} ${stray.length === 1 ? 'needs' : 'need'} a config file; with an IMAGE nothing is read from one or built (the image's tag is the version)`)
  return image
}

/** The flags as the pure checker's input. */
export function configlessInput(image: string, values: OptionValues): ConfiglessInput {
  return {
    image,
    host: str(values.host),
    servers: list(values.server),
    service: str(values.service),
    env: list(values.env),
    secrets: list(values.secret),
    volumes: list(values.volume),
    appPort: str(values['app-port']),
    healthPath: str(values['health-path']),
    ssl: values.ssl === true,
    registryUser: str(values['registry-user']),
  }
}

/**
 * Checks the flags and makes the config, before any connection. Every mistake is a usage error
 * naming its flag. The result is what loadForCli gives a config deploy, plus the version (the tag).
 */
export function loadConfiglessForCli(image: string, values: OptionValues, io: CliIO): Loaded & { version: string } {
  const checked = checkConfigless(configlessInput(image, values), CLI_FIELDS, io.env)
  const password = REGISTRY_PASSWORD_VARIABLES.find((name) => io.env[name] !== undefined && io.env[name] !== '')
  const problems = checked.ok ? [] : [...checked.errors]
  if (values['registry-user'] !== undefined && !password) {
    problems.push(`--registry-user needs the registry password in the environment: set ${REGISTRY_PASSWORD_VARIABLES.join(' or ')} (never on the command line)`)
  }
  if (!checked.ok || problems.length) throw new UsageError(problems.join('\n'))
  const loaded = loadConfigless(checked.spec, { cwd: io.cwd, env: io.env, registryPassword: password })
  if (!loaded.ok) throw new ConfigErrors(loaded.errors)
  const { secrets } = loaded
  io.addRedactor?.((s) => secrets.redact(s))
  const logger = cliLogger(io, (s) => secrets.redact(s))
  if (existsSync(resolve(io.cwd, DEFAULT_CONFIG_FILE))) logger.info(`${DEFAULT_CONFIG_FILE} is not read: an IMAGE was given, so this is a config-less deploy`)
  for (const w of loaded.warnings) logger.warn(renderWarning(w))
  const short = shortSecretsWarning(secrets.names().map((n) => [n, secrets.get(n)] as const))
  if (short) logger.warn(short)
  return { config: loaded.config, secrets, logger, version: checked.spec.tag }
}
