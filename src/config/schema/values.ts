import { isIPv4, isIPv6 } from 'node:net'
import { z } from 'zod'
import { kindOf } from '../errors.js'

/**
 * Leaf schemas. Each knows how to say what it expected, because a config error must say both what
 * is wrong and what would be right. Failures are `custom` issues with `params.expected`; the
 * message never repeats a value unless the value is harmless (a host, a port, a duration).
 */
export interface Expectation {
  expected: string
}

type Check<T> = (value: unknown) => { ok: true; value: T } | { ok: false; message: string }

/** A leaf that parses `unknown` with a plain function, reporting one issue with what was expected. */
export function leaf<T>(expected: string, check: Check<T>) {
  return z.any().transform((value, ctx): T => {
    const r = check(value)
    if (r.ok) return r.value
    ctx.addIssue({ code: 'custom', message: r.message, params: { expected } satisfies Expectation })
    return z.NEVER
  })
}

const bad = (message: string) => ({ ok: false as const, message })
const good = <T>(value: T) => ({ ok: true as const, value })
const isKind = (v: unknown): string => (v === undefined ? 'is missing' : `is ${kindOf(v)}`)
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v))

export const text = (expected = 'a string') => leaf(expected, (v) => (typeof v === 'string' ? good(v) : bad(isKind(v))))

export const nonEmptyText = (expected: string) =>
  leaf(expected, (v) => (typeof v === 'string' && v.trim() !== '' ? good(v) : bad(typeof v === 'string' ? 'is empty' : isKind(v))))

export const bool = (expected = 'true or false') => leaf(expected, (v) => (typeof v === 'boolean' ? good(v) : bad(isKind(v))))

/** Kamal reads env values, labels and args as strings but accepts numbers and booleans (`PORT: 3000`). */
export const stringish = (expected = 'a string (numbers and true/false are read as text)') =>
  leaf(expected, (v) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? good(String(v))
      : bad(v === null ? 'has no value' : isKind(v)),
  )

/** Kamal's durations are whole seconds (`deploy_timeout: 30`); a "30s" string is a common slip. */
export const seconds = (min = 1) =>
  leaf(`a whole number of seconds${min > 0 ? `, at least ${min}` : ''}, e.g. 30`, (v) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 86_400 * 365) return good(v)
    if (typeof v === 'string') return bad(`is the string ${show(v)}`)
    return bad(typeof v === 'number' ? `is ${v}` : isKind(v))
  })

/** A TCP port; Kamal's docs write ssh/port as a string ("2222"), so numeric strings count. */
export const port = () =>
  leaf('a port number from 1 to 65535', (v) => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65_535) return good(n)
    return bad(typeof v === 'number' || typeof v === 'string' ? `is ${show(v)}` : isKind(v))
  })

export const count = (min: number, expected: string) =>
  leaf(expected, (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min ? good(v) : bad(typeof v === 'number' ? `is ${v}` : isKind(v))))

export const listOf = <T extends z.ZodType>(item: T, expected: string) =>
  z.array(item, { error: (iss) => (iss.code === 'invalid_type' ? expected : undefined) })

/** A map with string keys; a `null` value (`labels:` with nothing under it) reads as an empty map. */
export const mapOf = <T extends z.ZodType>(value: T, expected: string) =>
  z.preprocess((v) => (v === null ? {} : v), z.record(z.string(), value, { error: (iss) => (iss.code === 'invalid_type' ? expected : undefined) }))

export function oneOf<const T extends readonly string[]>(values: T, expected = `one of: ${values.join(', ')}`) {
  return leaf(expected, (v) => (typeof v === 'string' && values.includes(v) ? good(v as T[number]) : bad(typeof v === 'string' ? `is ${show(v)}` : isKind(v))))
}

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?'
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`)

/** Why `s` is not a DNS name or IP address, or undefined when it is one. */
function hostProblem(s: string): string | undefined {
  if (s.includes('://')) return 'is a URL, not a host name'
  if (s.includes('@')) return 'includes a user name'
  if (/\s/.test(s)) return 'contains white space'
  if (/^[\d.]+$/.test(s)) return isIPv4(s) ? undefined : 'is not a valid IPv4 address'
  return HOSTNAME.test(s) ? undefined : 'is not a valid host name'
}

/**
 * Where cutover connects over SSH: a name, an IPv4 address or an IPv6 address, optionally with
 * `:port` (`[v6]:port` for IPv6). Returns the problem, or undefined when it is fine.
 */
export function serverHostProblem(s: string): string | undefined {
  if (s === '') return 'is empty'
  if (s.includes('://')) return 'is a URL, not a host name'
  if (s.includes('@')) return 'includes a user name; set ssh/user instead'
  if (isIPv6(s)) return undefined
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s)
  if (bracketed) return isIPv6(bracketed[1]!) ? portProblem(bracketed[2]) : 'is not a valid IPv6 address'
  const m = /^([^:]*)(?::([^:]*))?$/.exec(s)
  if (!m) return 'has more than one `:`'
  return hostProblem(m[1]!) ?? portProblem(m[2])
}

function portProblem(p: string | undefined): string | undefined {
  if (p === undefined) return undefined
  const n = /^\d+$/.test(p) ? Number(p) : NaN
  return n >= 1 && n <= 65_535 ? undefined : `has a bad port ${JSON.stringify(p)}`
}

export const SERVER_HOST_EXPECTED = 'a host name or IP address, optionally with :port (e.g. 192.168.0.1, app1.example.com, [2001:db8::1]:2222)'

export const serverHost = () =>
  leaf(SERVER_HOST_EXPECTED, (v) => {
    if (typeof v !== 'string') return bad(isKind(v))
    const p = serverHostProblem(v)
    return p ? bad(`${show(v)} ${p}`) : good(v)
  })

/** A host name kamal-proxy routes on: a DNS name, optionally a `*.` wildcard; no port, no scheme. */
export function proxyHostProblem(s: string): string | undefined {
  if (s === '') return 'is empty'
  if (s.includes(':') && !s.includes('://')) return 'includes a port; proxy hosts are names only (the port is app_port)'
  return hostProblem(s.startsWith('*.') ? s.slice(2) : s)
}

export const PROXY_HOST_EXPECTED = 'a host name such as app.example.com'

export const proxyHost = () =>
  leaf(PROXY_HOST_EXPECTED, (v) => {
    if (typeof v !== 'string') return bad(isKind(v))
    const p = proxyHostProblem(v)
    return p ? bad(`${show(v)} ${p}`) : good(v)
  })

/** Secret names as dotenv keys allow them (`[\w.]+`). */
export const SECRET_NAME = /^[A-Za-z0-9_.]+$/
export const secretName = (expected = 'the name of a secret from .kamal/secrets or the environment, e.g. KAMAL_REGISTRY_PASSWORD') =>
  leaf(expected, (v) => (typeof v === 'string' && SECRET_NAME.test(v) ? good(v) : bad(typeof v === 'string' ? `${show(v)} is not a secret name` : isKind(v))))

/** Environment variable names: anything docker's --env and env files can carry. */
export const ENV_NAME = /^[^=\s\0]+$/
