import { userInfo } from 'node:os'
import { resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { loadConfigOrThrow, renderWarning, type DeployConfig, type SecretNeeds } from '../config/index.js'
import { Session } from '../engine/session.js'
import { prefixedLogger, type Logger } from '../log.js'
import { shortSecretsWarning, type Secrets } from '../secrets/index.js'
import { commandTraceFromEnv } from './trace.js'
import { verboseTrace } from './deploy-flags.js'
import { type CliIO, configArgs, type OptionValues, UsageError } from './command.js'

/** Options of every command that reaches hosts. */
export const hostOptions = {
  'known-hosts': { type: 'string' },
  'ssh-key': { type: 'string', multiple: true },
  'max-connections': { type: 'string' },
} as const

/** `--max-connections N`: a whole number of at least 1, or a usage error naming the flag. */
export function maxConnectionsFlag(values: OptionValues): number | undefined {
  const raw = values['max-connections']
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--max-connections ${JSON.stringify(raw)}: expected a whole number of SSH connections, at least 1 (e.g. --max-connections 8)`)
  }
  return n
}

/** Human output goes to stderr, so stdout stays clean for `--json`. Secrets are redacted on the way out. */
export function cliLogger(io: CliIO, redact: (s: string) => string = (s) => s): Logger {
  return prefixedLogger((level, line) => {
    if (level === 'debug' && !io.env.CUTOVER_DEBUG) return
    io.stderr(`${level === 'warn' ? 'warning: ' : level === 'error' ? 'error: ' : ''}${redact(line)}\n`)
  })
}

export interface Loaded {
  config: DeployConfig
  secrets: Secrets
  logger: Logger
}

/** `needs`: which secrets this command resolves (removal and the lock need none but SSH keys). */
export function loadForCli(values: OptionValues, io: CliIO, needs: SecretNeeds = 'all'): Loaded {
  const { config, secrets, warnings } = loadConfigOrThrow({ ...configArgs(values), cwd: io.cwd, env: io.env, needs })
  // From here on, whatever the command prints (its errors too) is redacted, not only its log lines.
  io.addRedactor?.((s) => secrets.redact(s))
  const logger = cliLogger(io, (s) => secrets.redact(s))
  for (const w of warnings) logger.warn(renderWarning(w))
  const short = shortSecretsWarning(secrets.names().map((n) => [n, secrets.get(n)] as const))
  if (short) logger.warn(short)
  return { config, secrets, logger }
}

/** known_hosts: `--known-hosts FILE`, else ~/.ssh/known_hosts. Strict either way. */
export function knownHostsPath(values: OptionValues, io: CliIO): string {
  const given = values['known-hosts']
  if (typeof given === 'string') return resolve(io.cwd, given)
  const home = io.env.HOME ?? userInfo().homedir
  const fallback = `${home}/.ssh/known_hosts`
  if (!existsSync(fallback)) {
    throw new UsageError(`no known_hosts file: pass --known-hosts FILE holding your hosts' keys (\`cutover known-hosts HOST…\` prints them), or create ${fallback}`)
  }
  return fallback
}

/** `onCommand` sees every command string sent over SSH; without one, CUTOVER_TRACE_FILE may name a trace file (trace.ts). */
export function openSession(loaded: Loaded, values: OptionValues, io: CliIO, onCommand?: (host: string, command: string) => void): Session {
  const traced = onCommand ?? commandTraceFromEnv(io.env, io.cwd, (s) => loaded.secrets.redact(s))
  // `-v/--verbose` (commands that offer it) shows each command as well, redacted, besides any trace.
  const shown = verboseTrace(values, io, (s) => loaded.secrets.redact(s))
  const trace = traced && shown ? (host: string, command: string) => (traced(host, command), shown(host, command)) : (traced ?? shown)
  const keys = values['ssh-key']
  const maxConnections = maxConnectionsFlag(values)
  const paths = (Array.isArray(keys) ? keys : keys === undefined ? [] : [keys]).map((k) => resolve(io.cwd, String(k)))
  return new Session({
    config: loaded.config,
    secrets: loaded.secrets,
    logger: loaded.logger,
    knownHosts: knownHostsPath(values, io),
    extraKeys: { paths },
    ...(trace ? { onCommand: trace } : {}),
    ...(maxConnections !== undefined ? { maxConnections } : {}),
    env: io.env as NodeJS.ProcessEnv,
  })
}

/** The CI run holding a lock: a GitHub Actions run URL when there is one. */
export function runReference(env: CliIO['env']): string | undefined {
  if (!env.GITHUB_RUN_ID) return undefined
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
  return env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : `run ${env.GITHUB_RUN_ID}`
}
