import { z } from 'zod'
import { isPlainMap } from '../yaml.js'
import { byKind, section } from './section.js'
import { leaf, secretName, stringish } from './values.js'

/** A credential written in the config, or `[NAME]`: the value of the secret NAME. */
export type CredentialInput = { text: string } | { secret: string }

const CREDENTIAL_EXPECTED = 'a value, or a one-item list naming a secret, e.g. [KAMAL_REGISTRY_PASSWORD]'
const secretRef = z.any().transform((v: unknown[], ctx): CredentialInput => {
  if (v.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `lists ${v.length} items`, params: { expected: CREDENTIAL_EXPECTED } })
    return z.NEVER
  }
  const r = secretName().safeParse(v[0])
  if (r.success) return { secret: r.data }
  ctx.addIssue({ code: 'custom', path: [0], message: r.error.issues[0]?.message ?? 'is not a secret name', params: { expected: CREDENTIAL_EXPECTED } })
  return z.NEVER
})
const credential = byKind(
  { string: stringish().transform((t): CredentialInput => ({ text: t })), number: stringish().transform((t): CredentialInput => ({ text: t })), list: secretRef },
  CREDENTIAL_EXPECTED,
)

/** Kamal treats a `localhost:PORT` registry specially (its local-registry mode) and needs no login. */
export const isLocalRegistry = (server: string | undefined): boolean => server !== undefined && /^localhost(?::|$)/.test(server)

const server = leaf<string>('a registry host, optionally with :port, e.g. ghcr.io', (v) =>
  typeof v === 'string' && /^[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[a-z0-9._\/-]+)?$/.test(v)
    ? { ok: true, value: v }
    : { ok: false, message: typeof v === 'string' ? `${JSON.stringify(v)} is not a registry host` : 'is not a string' },
)

export const registrySchema = section(
  { server: server.optional(), username: credential.optional(), password: credential.optional() },
  { expected: 'a map with server, username and password' },
).superRefine((r, ctx) => {
  if (!isPlainMap(r) || isLocalRegistry(r.server)) return
  for (const key of ['username', 'password'] as const) {
    if (r[key] === undefined) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'is missing', params: { expected: key === 'password' ? CREDENTIAL_EXPECTED : 'the registry user name, e.g. my-user' } })
    }
  }
})
export type RegistrySection = z.output<typeof registrySchema>
