// The CI status gate: the engine awaits waitForChecks() alongside the build.
export { waitForChecks, type GateDeps, type GateResult } from './wait-for-checks.js'
export { apiUrlFromEnv, DEFAULT_API_URL, GATE_DEFAULTS, resolveGateOptions, type GateOptions } from './options.js'
export type { CheckState } from './checks.js'
export { GitHubApiError, type ApiErrorKind } from '../github/index.js'
