import { loadConfigless } from '../config/configless/load.js'
import { loadConfig, type DeployConfig, type SecretNeeds } from '../config/index.js'
import { previewConfig } from '../engine/preview.js'
import type { DeployResult } from '../engine/result.js'
import { Session, VersionMissingError } from '../engine/session.js'
import { retainedVersions } from '../engine/versions.js'
import { parseKnownHosts } from '../remote/index.js'
import { shortSecretsWarning, type SecretHints } from '../secrets/index.js'
import { EngineFailure, type RetainedVersions, type RunIO, type RunOutcome, type Target } from './engine-port.js'
import { maskDerived } from './mask.js'

/** The secret name the `registry-password` input is kept under: error messages say "the registry-password input secret". */
const REGISTRY_PASSWORD_INPUT = 'registry-password input'

/** A missing secret's fix, in the Action's words: its `secrets` input, and `registry-password` for the registry password. */
const ACTION_HINTS: SecretHints = {
  env: (name) => `${name} in the \`secrets\` input (a line \`${name}=\${{ secrets.${name} }}\`) or in the step's \`env\``,
  instead: (keyPath) => (keyPath === 'registry/password/0' ? 'the `registry-password` input' : undefined),
}

/**
 * Which config an operation runs with: the secrets it resolves (see LoadOptions.needs), and the
 * PR for previews. A removal or the lock needs only what reaches the hosts, so a `remove` job
 * runs without production's secrets, and a preview without them unless x-cutover.preview.inherit_secrets.
 */
export interface Scope {
  needs: SecretNeeds
  pr?: number | undefined
}

/** Load the config (inputs' secrets before the environment), open one SSH session, and always close it. */
export async function withSession<T>(target: Target, io: RunIO, env: NodeJS.ProcessEnv, scope: Scope, work: (session: Session, config: DeployConfig) => Promise<T>): Promise<T> {
  const { username, password } = target.registry ?? {}
  const registryOverride = { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password: { name: REGISTRY_PASSWORD_INPUT, value: password } } : {}) }
  const loaded = target.configless
    ? loadConfigless(target.configless, { cwd: process.cwd(), env: { ...env, ...target.env }, registryOverride })
    : loadConfig({
        configFile: target.configFile,
        ...(target.destination ? { destination: target.destination } : {}),
        cwd: process.cwd(),
        env: { ...env, ...target.env },
        registryOverride,
        needs: scope.needs,
        secretHints: ACTION_HINTS,
      })
  const source = target.configless ? 'the config-less inputs' : target.configFile
  if (!loaded.ok) throw new EngineFailure(`${loaded.errors.length} config error${loaded.errors.length === 1 ? '' : 's'} in ${source}`, { kind: 'config', problems: loaded.errors })
  const config = scope.pr === undefined ? loaded.config : previewConfig(loaded.config, scope.pr)
  const secrets = loaded.secrets
  // Masks first: a warning is printed below, and nothing printed may precede a value's mask.
  maskDerived(io.mask, config, secrets)
  const short = shortSecretsWarning(secrets.names().map((n) => [n, secrets.get(n)] as const))
  if (short) io.log.warn(short)
  for (const w of loaded.warnings) io.log.warn(`${w.file}: ${w.keyPath}: ${w.message}`)
  if (!target.sshPrivateKey && config.ssh.keys.length === 0 && config.ssh.keyData.length === 0) {
    throw new EngineFailure(
      'Input `ssh-private-key` is empty and the config names no SSH key (ssh.keys, ssh.key_data): pass the private key, e.g. `ssh-private-key: ${{ secrets.SSH_PRIVATE_KEY }}` ' +
        '(a GitHub secret that is not set, or not available to this workflow, as for a pull request from a fork, reads as empty).',
    )
  }
  const session = new Session({
    config,
    secrets,
    logger: io.log,
    knownHosts: parseKnownHosts(target.knownHosts, 'the known-hosts input'),
    extraKeys: target.sshPrivateKey ? { data: [{ label: 'the ssh-private-key input', key: target.sshPrivateKey }] } : {},
    ...(target.maxConnections !== undefined ? { maxConnections: target.maxConnections } : {}),
  })
  try {
    return await work(session, config)
  } catch (e) {
    // The versions a rollback could use instead, read while the hosts are still connected.
    if (e instanceof VersionMissingError) throw new EngineFailure(e.message, { kind: 'version-missing', version: e.version, retained: await retainedFor(session, config) })
    throw e
  } finally {
    await session.close()
  }
}

/** `tolerant`: a host that cannot be read gives no versions (a failure's hint); otherwise the error is thrown (the post step says it could not read the hosts). */
export async function retainedFor(session: Session, config: DeployConfig, tolerant = true): Promise<RetainedVersions[]> {
  const read = retainedVersions(config, session)
  return (await (tolerant ? read.catch(() => []) : read)).map((h) => ({
    host: h.host,
    role: h.role,
    versions: h.containers.filter((c) => c.version !== null).map((c) => ({ version: c.version as string, container: c.name, running: c.state === 'running' })),
  }))
}

/** A run's outcome as the Action reports it: the result, the service, the retained versions (read now) and the URL. */
export async function outcome(result: DeployResult, session: Session, config: DeployConfig): Promise<RunOutcome> {
  return { result, service: config.service, retained: await retainedFor(session, config), ...urlOf(config) }
}

export function urlOf(config: DeployConfig): { url?: string } {
  const primary = config.roles.find((r) => r.primary) ?? config.roles[0]
  const proxy = primary?.proxy
  const host = proxy?.hosts[0]
  return host ? { url: `${proxy.ssl ? 'https' : 'http'}://${host}` } : {}
}
