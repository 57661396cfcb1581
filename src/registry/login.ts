import { dockerCause } from './docker-output.js'
import * as registryCommands from '../argv/registry.js'
import type { ExecResult, RemoteHost } from '../remote/host.js'
import { redact } from '../secrets/redact.js'
import { RegistryError } from './http.js'
import { execLocal, type LocalExec } from '../local-exec.js'
import type { RegistryInput } from './types.js'

/**
 * `docker login` here (before a push) and on hosts (before a pull). The password always goes
 * on stdin; failures become RegistryErrors that name the registry, where it failed, and the fix.
 */
export async function loginLocally(registry: RegistryInput, options: { exec?: LocalExec; docker?: string } = {}): Promise<void> {
  const { username, password } = credentials(registry)
  const exec = options.exec ?? execLocal
  const result = await exec(registryCommands.login(registry.server, username, options.docker), { stdin: password, timeoutMs: 120_000 })
  if (result.code !== 0) throw explainLoginFailure(registry, 'this machine', result)
}

export async function loginOnHost(host: RemoteHost, registry: RegistryInput): Promise<void> {
  const { username, password } = credentials(registry)
  const result = await host.exec(registryCommands.login(registry.server, username), { stdin: password, timeoutMs: 120_000 })
  if (result.code !== 0) throw explainLoginFailure(registry, host.name, result)
}

export async function logoutLocally(registry: RegistryInput, options: { exec?: LocalExec; docker?: string } = {}): Promise<void> {
  const exec = options.exec ?? execLocal
  const result = await exec(registryCommands.logout(registry.server, options.docker), { timeoutMs: 60_000 })
  if (result.code !== 0) throw new RegistryError(`docker logout from ${registryName(registry)} failed on this machine: ${lastLines(result, registry)}`, 'protocol')
}

export async function logoutOnHost(host: RemoteHost, registry: RegistryInput): Promise<void> {
  const result = await host.exec(registryCommands.logout(registry.server), { timeoutMs: 60_000 })
  if (result.code !== 0) throw new RegistryError(`docker logout from ${registryName(registry)} failed on ${host.name}: ${lastLines(result, registry)}`, 'protocol')
}

function credentials(registry: RegistryInput): { username: string; password: string } {
  if (!registry.username) throw new RegistryError(`registry.username is not set, so cutover cannot log in to ${registryName(registry)}. Fix: set registry.username (and registry.password) in config/deploy.yml.`, 'config')
  if (registry.password === undefined || registry.password === '') {
    throw new RegistryError(`${registry.passwordSource ?? 'registry.password'} is empty, so cutover cannot log in to ${registryName(registry)}. Fix: provide the registry password as a secret.`, 'config')
  }
  return { username: registry.username, password: registry.password }
}

const registryName = (registry: RegistryInput): string => registry.server || 'docker.io'

/** docker's words for the common failures (client and daemon phrase them a few ways). */
export function explainLoginFailure(registry: RegistryInput, where: string, result: ExecResult): RegistryError {
  const name = registryName(registry)
  const said = lastLines(result, registry)
  const text = `${result.stderr}\n${result.stdout}`
  const passwordSource = registry.passwordSource ?? 'registry.password'
  if (/unauthorized|incorrect username or password|authentication required|access denied/i.test(text)) {
    return new RegistryError(`Registry ${name} rejected the login of user "${registry.username}" on ${where}: ${said}. Fix: check registry.username and ${passwordSource}.`, 'auth')
  }
  if (/x509|certificate|tls:|ssl/i.test(text)) {
    return new RegistryError(
      `docker on ${where} does not trust the TLS certificate of registry ${name}: ${said}. Fix: install the registry's CA there as /etc/docker/certs.d/${name}/ca.crt (or in the system trust store, then restart docker).`,
      'tls',
    )
  }
  if (/connection refused|no such host|i\/o timeout|network is unreachable|no route to host|dial tcp|server misbehaving|context deadline exceeded/i.test(text)) {
    return new RegistryError(`docker on ${where} cannot reach registry ${name}: ${said}. Fix: check registry.server, and that ${where} can reach the registry.`, 'unreachable')
  }
  return new RegistryError(`docker login to ${name} failed on ${where} (exit ${result.code}): ${said}`, 'protocol')
}

function lastLines(result: ExecResult, registry: RegistryInput): string {
  // docker prints a warning about stored credentials on every successful login: the cause comes first (dockerCause).
  return redact(dockerCause(result.stderr, result.stdout, 3).join(' / ') || '(no output)', [registry.password ?? ''])
}
