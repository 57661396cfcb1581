import { loadConfig, type LoadOptions, type LoadResult } from '../load.js'
import type { DeployConfig } from '../types.js'
import type { ConfiglessSpec } from './spec.js'

/** What error messages call the config a config-less deploy makes (no file holds it). */
export const CONFIGLESS_SOURCE = 'config-less deploy'
/** The one role a config-less app has: Kamal's default primary role, behind kamal-proxy. */
export const CONFIGLESS_ROLE = 'web'

/**
 * Kamal's schema (rightly, for a config file) wants registry credentials; a config-less deploy of a
 * public image has none. These stand-ins pass that check and are dropped right after (see
 * loadConfigless), so hosts pull and the registry client asks anonymously.
 */
const ANONYMOUS = 'cutover-anonymous-pull'

/**
 * The config a Kamal user would write for this app, as data: one `web` role on the servers, proxied
 * for the host. Going through the same schema and normalizer as a config file gives every default
 * (and every later fix) to config-less deploys too; the engine never knows the difference.
 */
export function configlessData(spec: ConfiglessSpec, registryPassword: string | undefined): Record<string, unknown> {
  const healthcheck = spec.healthPath !== undefined ? { healthcheck: { path: spec.healthPath } } : {}
  return {
    service: spec.service,
    image: spec.image,
    servers: { [CONFIGLESS_ROLE]: { hosts: spec.servers } },
    proxy: { host: spec.host, ssl: spec.ssl, ...(spec.appPort !== undefined ? { app_port: spec.appPort } : {}), ...healthcheck },
    registry: {
      ...(spec.registry ? { server: spec.registry } : {}),
      username: spec.registryUser ?? ANONYMOUS,
      password: spec.registryUser && registryPassword ? [registryPassword] : ANONYMOUS,
    },
    env: { clear: spec.env, secret: spec.secrets },
    ...(spec.volumes.length ? { volumes: spec.volumes } : {}),
    ...(spec.sshUser ? { ssh: { user: spec.sshUser } } : {}),
  }
}

export interface ConfiglessLoad {
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  /** The secret holding the registry password (CUTOVER_REGISTRY_PASSWORD, KAMAL_REGISTRY_PASSWORD); the Action passes registryOverride instead. */
  registryPassword?: string | undefined
  registryOverride?: LoadOptions['registryOverride']
}

/**
 * loadConfig on that data. No file is read: not config/deploy.yml, and not .kamal/secrets either,
 * so `--secret NAME` takes NAME's value from the environment, as the flag promises.
 */
export function loadConfigless(spec: ConfiglessSpec, opts: ConfiglessLoad): LoadResult {
  const loaded = loadConfig({
    data: { file: CONFIGLESS_SOURCE, value: configlessData(spec, opts.registryPassword) },
    cwd: opts.cwd,
    env: opts.env,
    readFile: () => undefined,
    ...(opts.registryOverride ? { registryOverride: opts.registryOverride } : {}),
  })
  if (!loaded.ok) return loaded
  const anonymous = spec.registryUser === undefined && opts.registryOverride?.username === undefined
  return anonymous ? { ...loaded, config: withoutCredentials(loaded.config) } : loaded
}

function withoutCredentials(config: DeployConfig): DeployConfig {
  const { username: _u, password: _p, ...registry } = config.registry
  return { ...config, registry }
}
