import type { DeployConfig } from '../config/index.js'
import type { Secrets } from '../secrets/index.js'
import { secretForms } from '../secrets/forms.js'

/**
 * What to register with `::add-mask::` for one secret. The runner masks a registered value only
 * where a log line contains it whole, so every form the value can take in output is registered:
 * the same list redaction uses (secrets/forms.ts), including each line of a multi-line secret
 * (logs are printed line by line). One minimum-length rule for both: a value shorter than
 * MIN_SECRET_LENGTH registers nothing (forms.ts says why that is safe; callers warn once).
 */
export function maskValues(value: string): string[] {
  return secretForms(value)
}

/** Registers `value` (and each of its lines) with `setSecret`; returns it, so calls can wrap reads. */
export function masked(setSecret: (s: string) => void, value: string): string {
  for (const v of maskValues(value)) setSecret(v)
  return value
}

/** What a registry login sends (`base64(user:password)`) and docker's config.json stores: secret as well. */
export function registryAuthForms(username: string | undefined, password: string): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
  return [b64(password), ...(username ? [b64(`${username}:${password}`)] : [])]
}

/**
 * Values derived from the run's secrets, masked before their first use: every loaded secret
 * (line by line through `mask`), each `NAME=value` line of the env files, and the registry's
 * auth strings. Only loaded secrets count: a run that does not need a secret never resolves it
 * (a removal loads no env secrets, a preview no production ones), and there is nothing to mask.
 */
export function maskDerived(mask: (value: string) => void, config: DeployConfig, secrets: Secrets): void {
  for (const value of secrets.values()) mask(value)
  for (const role of config.roles) {
    for (const ref of role.env.secret) {
      const value = secrets.has(ref.secret) ? secrets.get(ref.secret) : ''
      if (value) mask(`${ref.name}=${value}`)
    }
  }
  const { username, password } = config.registry
  const loaded = (v: string | { secret: string }) => typeof v === 'string' || secrets.has(v.secret)
  if (username !== undefined && password && loaded(username) && loaded(password)) {
    for (const form of registryAuthForms(secrets.resolve(username), secrets.resolve(password))) mask(form)
  }
}
