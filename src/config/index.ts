/**
 * The config layer: Kamal 2's config/deploy.yml (plus cutover's additions), validated with file,
 * key path and line for every error, resolved into DeployConfig, with secrets held apart.
 */
export { type ConfigError, ConfigErrors, type ConfigWarning, renderError, renderWarning } from './errors.js'
export { DEFAULT_CONFIG_FILE, destinationFile, type LoadOptions, type LoadResult, loadConfig, loadConfigOrThrow, type SecretNeeds } from './load.js'
export { DEFAULTS, hostEnv } from './normalize/index.js'
export { PROXY_DEFAULTS } from './normalize/proxy.js'
export { toPrintable } from './printable.js'
export { previewHost } from './schema/preview.js'
export type * from './types.js'
