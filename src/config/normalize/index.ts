import { ACCESSORY_KAMAL_ONLY } from '../schema/accessories.js'
import { BOOT_KAMAL_ONLY } from '../schema/boot.js'
import { BUILDER_KAMAL_ONLY } from '../schema/builder.js'
import { verifySettings } from './verify.js'
import { PROXY_KAMAL_ONLY } from '../schema/proxy.js'
import { type CredentialInput, isLocalRegistry } from '../schema/registry.js'
import { ROOT_KAMAL_ONLY, type RootInput } from '../schema/root.js'
import type { PreviewInput } from '../schema/preview.js'
import type { KamalOnlyKeys } from '../schema/section.js'
import { ROLE_KAMAL_ONLY } from '../schema/servers.js'
import { SSH_KAMAL_ONLY } from '../schema/ssh.js'
import { SECRET_NAME } from '../schema/values.js'
import type { DeployConfig, PreviewConfig, SecretRef } from '../types.js'
import { isPlainMap } from '../yaml.js'
import { DEFAULTS } from './defaults.js'
import { mergeProxy, resolveProxy } from './proxy.js'
import { type Collector, envOf, mergeEnv, resolveRoles, toHost, useEnvSecrets } from './roles.js'
import { applyStrategies, resolveBoot } from './strategy.js'
import { resolveAccessories } from './accessories.js'

export { hostEnv } from './roles.js'

export { DEFAULTS } from './defaults.js'
export type { Collector, Notice, Problem } from './roles.js'

export interface Normalized {
  config: DeployConfig
  /** Credentials written in the config itself, under synthetic names such as `registry/password`. */
  literals: Map<string, string>
}


/** From validated input to the resolved config; semantic problems, warnings and secret uses go to `c`. */
export function normalize(input: RootInput, raw: Record<string, unknown>, files: string[], destination: string | undefined, c: Collector): Normalized {
  const literals = new Map<string, string>()
  warnKamalOnly(raw, c)

  const local = isLocalRegistry(input.registry.server)
  if (local) {
    c.notices.push({ keyPath: 'registry/server', message: 'is a localhost registry: cutover pushes to and pulls from it as written; Kamal’s local-registry mode (a registry container reached from hosts over an SSH tunnel) is not acted on' })
  }
  const image = input.image ?? (local ? input.service : undefined)
  if (image === undefined) c.problems.push({ keyPath: 'image', message: 'is missing', expected: 'an image name without a tag, e.g. my-user/my-app' })

  const roles = applyStrategies(resolveRoles(input, raw, c), input['x-cutover'], input.volumes ?? [], c)
  const primaryRole = input.primary_role ?? DEFAULTS.primaryRole
  useEnvSecrets(envOf(input.env), 'env', c)
  const envTags = Object.fromEntries(Object.entries(input.env?.tags ?? {}).map(([tag, block]) => [tag, envOf(block)]))
  for (const [tag, env] of Object.entries(envTags)) useEnvSecrets(env, `env/tags/${tag}`, c)
  useCertificates(raw, c)

  const credential = (value: CredentialInput | undefined, key: 'username' | 'password'): string | SecretRef | undefined => {
    if (value === undefined) return undefined
    if ('secret' in value) {
      c.uses.push({ name: value.secret, keyPath: `registry/${key}/0` })
      return { secret: value.secret }
    }
    if (key === 'username') return value.text
    // A password written in the config is still a password: it joins the secrets so it is redacted.
    literals.set('registry/password', value.text)
    return { secret: 'registry/password' }
  }
  const username = credential(input.registry.username, 'username')
  const password = credential(input.registry.password, 'password') as SecretRef | undefined

  const keyData = (input.ssh?.key_data ?? []).map((entry, i): SecretRef => {
    const keyPath = `ssh/key_data/${i}`
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(entry)) {
      c.notices.push({ keyPath, message: 'holds a private key inline, which Kamal deprecates; name a secret that holds it instead' })
      literals.set(keyPath, entry)
      return { secret: keyPath }
    }
    if (!SECRET_NAME.test(entry)) c.problems.push({ keyPath, message: 'is neither a secret name nor a private key', expected: 'the name of a secret holding a private key, e.g. SSH_PRIVATE_KEY' })
    else c.uses.push({ name: entry, keyPath })
    return { secret: entry }
  })

  const builderSecrets = input.builder?.secrets ?? []
  builderSecrets.forEach((name, i) => c.uses.push({ name, keyPath: `builder/secrets/${i}` }))

  const primary = roles.find((r) => r.name === primaryRole)
  const previewIn = previewInput(input, c)
  let preview: PreviewConfig | undefined
  if (previewIn) {
    const own = envOf(previewIn.value.env)
    useEnvSecrets(own, `${previewIn.path}/env`, c)
    const base = primary?.env ?? envOf(input.env)
    preview = {
      hostTemplate: previewIn.value.host,
      hosts: previewIn.value.hosts ? previewIn.value.hosts.map(toHost) : (primary?.hosts ?? []),
      env: mergeEnv({ clear: base.clear, secret: previewIn.value.inherit_secrets ? base.secret : [] }, own),
      inheritSecrets: previewIn.value.inherit_secrets ?? false,
    }
  }

  const b = input.builder
  const config: DeployConfig = {
    files,
    ...(destination !== undefined ? { destination } : {}),
    service: input.service,
    image: image ?? '',
    repository: [input.registry.server, image ?? ''].filter((s) => s !== undefined).join('/'),
    registry: {
      ...(input.registry.server !== undefined ? { server: input.registry.server } : {}),
      local,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    },
    roles,
    primaryRole,
    envTags,
    proxy: resolveProxy(mergeProxy(input.proxy, undefined), { deployTimeout: input.deploy_timeout ?? DEFAULTS.deployTimeout, drainTimeout: input.drain_timeout ?? DEFAULTS.drainTimeout }),
    volumes: input.volumes ?? [],
    ssh: {
      user: input.ssh?.user ?? DEFAULTS.sshUser,
      port: input.ssh?.port ?? DEFAULTS.sshPort,
      keys: input.ssh?.keys ?? [],
      keyData,
      ...(input.ssh?.proxy ? { proxy: input.ssh.proxy } : {}),
      ...(input.ssh?.proxy_command ? { proxyCommand: input.ssh.proxy_command } : {}),
      keysOnly: input.ssh?.keys_only ?? false,
      config: typeof input.ssh?.config === 'string' ? [input.ssh.config] : (input.ssh?.config ?? true),
      logLevel: input.ssh?.log_level ?? 'fatal',
    },
    builder: {
      arch: b?.arch ?? [],
      ...(b?.context !== undefined ? { context: b.context } : {}),
      dockerfile: b?.dockerfile ?? 'Dockerfile',
      ...(b?.target !== undefined ? { target: b.target } : {}),
      args: b?.args ?? {},
      secrets: builderSecrets,
      ...(b?.cache ? { cache: { type: b.cache.type, ...(b.cache.options !== undefined ? { options: b.cache.options } : {}), ...(b.cache.image !== undefined ? { image: b.cache.image } : {}) } } : {}),
    },
    retainContainers: input.retain_containers ?? DEFAULTS.retainContainers,
    deployTimeout: input.deploy_timeout ?? DEFAULTS.deployTimeout,
    drainTimeout: input.drain_timeout ?? DEFAULTS.drainTimeout,
    readinessDelay: input.readiness_delay ?? DEFAULTS.readinessDelay,
    requireDestination: input.require_destination ?? false,
    secretsPath: input.secrets_path ?? DEFAULTS.secretsPath,
    hooks: { path: input.hooks_path ?? DEFAULTS.hooksPath, ...(input.hooks_output !== undefined ? { output: input.hooks_output } : {}) },
    ...(preview ? { preview } : {}),
    boot: resolveBoot(input.boot, new Set(roles.flatMap((r) => r.hosts.map((h) => h.host))).size),
    lock: { staleAfter: input['x-cutover']?.lock?.stale_after ?? DEFAULTS.lockStaleAfter },
    verify: verifySettings(input['x-cutover']?.verify),
    accessories: resolveAccessories(input.accessories, input.service, roles, c),
    bootstrap: { installUrl: input['x-cutover']?.bootstrap?.install_url ?? DEFAULTS.dockerInstallUrl },
    ...(input['x-cutover']?.fanout?.max_connections !== undefined ? { fanout: { maxConnections: input['x-cutover'].fanout.max_connections } } : {}),
  }
  return { config, literals }
}

/**
 * `x-cutover/preview`, or the old top-level `preview:` (read once more, with a warning saying where
 * to move it: Kamal rejects a top-level `preview:`). Both at once is an error: which one wins would
 * be a guess.
 */
function previewInput(input: RootInput, c: Collector): { value: PreviewInput; path: string } | undefined {
  const current = input['x-cutover']?.preview
  if (input.preview === undefined) return current ? { value: current, path: 'x-cutover/preview' } : undefined
  if (current) {
    c.problems.push({ keyPath: 'preview', message: 'is given both here and under x-cutover', expected: 'only x-cutover: { preview: … } (delete the top-level preview:)' })
    return { value: current, path: 'x-cutover/preview' }
  }
  c.notices.push({
    keyPath: 'preview',
    message: 'is the old place of the preview settings and is still read for now; move the block under `x-cutover:` as `x-cutover: { preview: … }` (indent it one level), because Kamal rejects a top-level preview: key (`kamal config`: unknown key: preview)',
  })
  return { value: input.preview, path: 'preview' }
}

/** Custom TLS certificates name secrets at the root and on roles. */
function useCertificates(raw: Record<string, unknown>, c: Collector): void {
  const visit = (proxy: unknown, path: string): void => {
    if (!isPlainMap(proxy) || !isPlainMap(proxy.ssl)) return
    c.notices.push({ keyPath: `${path}/ssl`, message: 'sets custom TLS certificates, which are checked and resolved but not installed by cutover yet' })
    for (const key of ['certificate_pem', 'private_key_pem']) {
      const name = proxy.ssl[key]
      if (typeof name === 'string') c.uses.push({ name, keyPath: `${path}/ssl/${key}` })
    }
  }
  visit(raw.proxy, 'proxy')
  if (isPlainMap(raw.servers)) for (const [name, role] of Object.entries(raw.servers)) if (isPlainMap(role)) visit(role.proxy, `servers/${name}/proxy`)
}

/** One warning for each Kamal key present that cutover accepts but does not act on. */
function warnKamalOnly(raw: Record<string, unknown>, c: Collector): void {
  const visit = (section: unknown, table: KamalOnlyKeys, path: string): void => {
    if (!isPlainMap(section)) return
    for (const [key, { note }] of Object.entries(table)) {
      if (!Object.hasOwn(section, key)) continue
      c.notices.push({ keyPath: path ? `${path}/${key}` : key, message: `is a Kamal setting cutover does not act on yet${note ? ` (${note})` : ''}; it is ignored` })
    }
  }
  visit(raw, ROOT_KAMAL_ONLY, '')
  visit(raw.proxy, PROXY_KAMAL_ONLY, 'proxy')
  visit(raw.ssh, SSH_KAMAL_ONLY, 'ssh')
  visit(raw.builder, BUILDER_KAMAL_ONLY, 'builder')
  visit(raw.boot, BOOT_KAMAL_ONLY, 'boot')
  if (isPlainMap(raw.accessories)) for (const [name, a] of Object.entries(raw.accessories)) visit(a, ACCESSORY_KAMAL_ONLY, `accessories/${name}`)
  if (isPlainMap(raw.servers)) {
    for (const [name, role] of Object.entries(raw.servers)) {
      if (!isPlainMap(role)) continue
      visit(role, ROLE_KAMAL_ONLY, `servers/${name}`)
      visit(role.proxy, PROXY_KAMAL_ONLY, `servers/${name}/proxy`)
    }
  }
}
