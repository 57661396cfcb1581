import type { DeployResult, HostResult } from '../engine/result.js'
import type { CliIO, OptionValues } from './command.js'

/**
 * What `--json` prints on stdout for a deploy-like command (deploy, rollback, remove): exactly one
 * object on every exit, so a script or CI step can always parse it, also when the run fails
 * before any host (lock held, registry refused, config error, bad flag, a signal).
 */
export interface JsonResult {
  ok: boolean
  /** Why the run failed, one message (already redacted: the CLI's output passes its redactors). */
  error?: string
  /** The version deployed, when known (null when the run stopped before resolving it). */
  version: string | null
  image?: string
  changed?: boolean
  hosts: HostResult[]
}

export function resultJson(result: DeployResult): JsonResult {
  const failed = result.hosts.filter((h) => h.action === 'failed')
  return {
    ok: failed.length === 0,
    ...(failed.length ? { error: `${failed.length} of ${result.hosts.length} host roles failed` } : {}),
    ...result,
  }
}

export function failureJson(error: string, version: string | undefined): JsonResult {
  return { ok: false, error, version: version ?? null, changed: false, hosts: [] }
}

export const printJson = (io: Pick<CliIO, 'stdout'>, value: unknown): void => io.stdout(`${JSON.stringify(value, null, 2)}\n`)

/** The version a deploy-like command was asked for: `--version V`, or rollback's VERSION. */
export function requestedVersion(values: OptionValues, positionals: readonly string[]): string | undefined {
  if (typeof values.version === 'string') return values.version
  return positionals[0]
}

/** For releaseOnSignal: under `--json`, the failure object a signal ends the run with. */
export function jsonOnSignal(values: OptionValues, io: Pick<CliIO, 'stdout'>, version: string | undefined): ((signal: NodeJS.Signals) => void) | undefined {
  if (!values.json) return undefined
  return (signal) => printJson(io, failureJson(`stopped by ${signal} before the run finished; the deploy lock, if taken, was released`, version))
}
