import type { VerifyConfig } from '../types.js'

/** Seconds: long enough for an app that dies right after its first health check to show it. */
export const DEFAULT_VERIFY_WINDOW_S = 5

export function verifySettings(input: { window?: number | undefined; fleet_rollback?: boolean | undefined } | undefined): VerifyConfig {
  return { windowS: input?.window ?? DEFAULT_VERIFY_WINDOW_S, fleetRollback: input?.fleet_rollback ?? true }
}
