import type { DeployConfig } from '../config/index.js'
import { primaryHost } from '../engine/targets.js'
import type { CliCommand, CliIO, OptionValues } from './command.js'
import { UsageError } from './command.js'

/** The flags Kamal users expect on every deploy-like command (deploy, rollback, app boot…). */
export const deployLikeOptions = {
  roles: { type: 'string' },
  primary: { type: 'boolean' },
  'lock-wait': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies CliCommand['options']

export const DEPLOY_LIKE_USAGE = '[--roles R,…] [--primary] [--lock-wait SECONDS] [-v]'

const list = (value: unknown): string[] | undefined => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined)

/** `--lock-wait SECONDS` as a number; a usage error for anything else. */
export function lockWaitSeconds(values: OptionValues): number | undefined {
  const raw = values['lock-wait']
  if (raw === undefined) return undefined
  const n = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--lock-wait ${JSON.stringify(raw)}: expected a number of seconds > 0, e.g. --lock-wait 60`)
  return n
}

/**
 * The hosts and roles a deploy-like command is narrowed to. `--primary` is the primary role's
 * first host (where Kamal keeps the lock); with `--hosts` too, that host must be among them.
 */
export function scopeFromFlags(values: OptionValues, config: DeployConfig): { onlyHosts?: string[]; onlyRoles?: string[] } {
  const hosts = list(values.hosts)
  const roles = list(values.roles)
  let onlyHosts = hosts
  if (values.primary === true) {
    const primary = primaryHost(config)
    if (hosts?.length && !hosts.includes(primary)) throw new UsageError(`--primary is ${primary}, which --hosts leaves out`)
    onlyHosts = [primary]
  }
  return { ...(onlyHosts?.length ? { onlyHosts } : {}), ...(roles?.length ? { onlyRoles: roles } : {}) }
}

/** `-v/--verbose`: every command sent over SSH, on stderr, prefixed by its host, secrets redacted. */
export function verboseTrace(values: OptionValues, io: CliIO, redact: (s: string) => string): ((host: string, command: string) => void) | undefined {
  if (values.verbose !== true) return undefined
  return (host, command) => io.stderr(`[${host}] $ ${redact(command)}\n`)
}
