import { z } from 'zod'
import { isPlainMap } from '../yaml.js'
import { byKind, section } from './section.js'
import { ENV_NAME, leaf, listOf, mapOf, SECRET_NAME, stringish } from './values.js'

/** `NAME` or Kamal's alias form `NAME:SECRET`: the container sees NAME, the value comes from SECRET. */
export interface SecretEnvRef {
  name: string
  secret: string
}

const SECRET_ENTRY_EXPECTED = 'NAME or NAME:SECRET_NAME, naming a secret from .kamal/secrets or the environment'

const secretEntry = leaf<SecretEnvRef>(SECRET_ENTRY_EXPECTED, (v) => {
  if (typeof v !== 'string') return { ok: false, message: v === undefined ? 'is missing' : `is not a string` }
  const [name = '', secret, extra] = v.split(':')
  if (extra !== undefined || !ENV_NAME.test(name)) return { ok: false, message: `${JSON.stringify(v)} is not a secret entry` }
  const from = secret ?? name
  if (!SECRET_NAME.test(from)) return { ok: false, message: `${JSON.stringify(from)} is not a secret name` }
  return { ok: true, value: { name, secret: from } }
})

/** Clear values; env names must be usable with docker's --env. */
const clearMap = mapOf(stringish(), 'a map of NAME: value').superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    if (!ENV_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'is not a usable environment variable name', params: { expected: 'a name without `=` or white space' } })
    }
  }
})

const secretList = listOf(secretEntry, `a list of secret names (${SECRET_ENTRY_EXPECTED})`)

export interface EnvBlock {
  clear: Record<string, string>
  secret: SecretEnvRef[]
  tags?: Record<string, EnvBlock>
}

const EXPECTED = 'a map of NAME: value, or a map with clear (NAME: value) and secret (a list of secret names)'
const SPECIAL = ['clear', 'secret', 'tags']

type Where = 'root' | 'role' | 'tag' | 'preview'

const tagsMap = z.lazy(() => mapOf(envSchema('tag'), 'a map of tag name: env (clear and secret, like env itself)'))

/**
 * Kamal's env: a flat map is all clear values; once `clear`, `secret` or `tags` appears, every key
 * must be one of those. `tags` belongs to the root env only: `env.tags.<tag>` is the env of every
 * host tagged `<tag>` under servers, in the full env format.
 */
export function envSchema(where: Where): z.ZodType<EnvBlock> {
  const tagsOnlyAtRoot = leaf<never>('env/tags at the top level, with the hosts tagged under servers', () => ({
    ok: false,
    message: 'is only allowed in the top-level env',
  }))
  const structured = section(
    {
      clear: clearMap.optional(),
      secret: secretList.optional(),
      tags: where === 'root' ? tagsMap.optional() : tagsOnlyAtRoot.optional(),
    },
    { expected: EXPECTED },
  )
  const flat = clearMap
  const map = z.any().transform((value, ctx): EnvBlock => {
    const isStructured = isPlainMap(value) && Object.keys(value).some((k) => SPECIAL.includes(k))
    const r = (isStructured ? structured : flat).safeParse(value, { reportInput: true })
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0])
      return z.NEVER
    }
    if (!isStructured) return { clear: r.data as Record<string, string>, secret: [] }
    const s = r.data as { clear?: Record<string, string>; secret?: SecretEnvRef[]; tags?: Record<string, EnvBlock> }
    s.secret?.forEach((ref, i) => {
      if (s.clear && Object.hasOwn(s.clear, ref.name)) {
        ctx.addIssue({ code: 'custom', path: ['secret', i], message: `${ref.name} is also under clear`, params: { expected: 'each name either under clear or under secret' } })
      }
    })
    return { clear: s.clear ?? {}, secret: s.secret ?? [], ...(s.tags ? { tags: s.tags } : {}) }
  })
  // `env:` with nothing under it is an empty env, as in Kamal.
  return z.preprocess((v) => (v === null ? {} : v), byKind({ map }, EXPECTED)) as unknown as z.ZodType<EnvBlock>
}
