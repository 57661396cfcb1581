import { TAG_PATTERN } from '../../argv/names.js'
import { ImageRefError, registryTarget } from '../../registry/image-ref.js'
import { ENV_NAME, proxyHostProblem, serverHostProblem } from '../schema/values.js'

/**
 * Config-less deploys (`cutover deploy IMAGE --host H --server S`, the Action's `image` input):
 * what the user gave, as strings, before any check. Pure: the CLI and the Action each fill it
 * from their own flags or inputs, and name those in errors through `FieldNames`.
 */
export interface ConfiglessInput {
  image: string | undefined
  host: string | undefined
  servers: readonly string[]
  service?: string | undefined
  env: readonly string[]
  secrets: readonly string[]
  volumes: readonly string[]
  appPort?: string | undefined
  healthPath?: string | undefined
  ssl?: boolean | undefined
  registryUser?: string | undefined
}

/** How each field is called where the user typed it: `--host` on the CLI, "Input `proxy-host`" in the Action. */
export type FieldNames = Record<Exclude<keyof ConfiglessInput, 'ssl'>, string>

export const CLI_FIELDS: FieldNames = {
  image: 'IMAGE', host: '--host', servers: '--server', service: '--service', env: '--env', secrets: '--secret',
  volumes: '--volume', appPort: '--app-port', healthPath: '--health-path', registryUser: '--registry-user',
}

/** The checked form: everything one proxied `web` role needs, in Kamal's terms. */
export interface ConfiglessSpec {
  service: string
  /** The registry host (and port) when the image names one; absent: Docker Hub. */
  registry?: string
  /** The image's path inside its registry, without tag: Kamal's `image`. */
  image: string
  /** The tag deployed: the engine's version (its container name, `repository:tag`). */
  tag: string
  host: string
  /** As Kamal writes hosts: `host` or `host:port`. */
  servers: string[]
  /** From `user@host`; one user for every server (Kamal's ssh/user). Absent: Kamal's default, root. */
  sshUser?: string
  env: Record<string, string>
  secrets: string[]
  volumes: string[]
  appPort?: number
  healthPath?: string
  ssl: boolean
  registryUser?: string
}

export type Checked = { ok: true; spec: ConfiglessSpec } | { ok: false; errors: string[] }

/** `app.example.com` → `app-example-com`: a service name (letters, digits, `_`, `-`) that says which host it serves. */
export function serviceFromHost(host: string): string {
  return host.toLowerCase().replace(/^\*\./, 'wildcard.').replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')
}

const SERVICE = /^[a-z0-9_-]+$/i
/** An environment variable a shell can export (a secret's value is read from it). */
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Every mistake in the input, each naming its flag or input and the fix; none reaches a host.
 * `env` is where `--secret NAME` values are read (the names are checked to be set here, so a
 * missing one fails before any connection).
 */
export function checkConfigless(input: ConfiglessInput, names: FieldNames, env: Readonly<Record<string, string | undefined>>): Checked {
  const errors: string[] = []
  const image = parseImage(input.image, names.image, errors)

  const host = input.host?.trim()
  if (!host) errors.push(`${names.host} is missing: give the host name the app answers to, e.g. ${names.host} app.example.com`)
  else {
    const p = proxyHostProblem(host)
    if (p) errors.push(`${names.host} ${JSON.stringify(host)} ${p}; expected a host name such as app.example.com`)
  }

  const servers: string[] = []
  const users = new Set<string>()
  if (input.servers.length === 0) errors.push(`${names.servers} is missing: give the server(s) to deploy to over SSH, e.g. ${names.servers} 203.0.113.10 or user@203.0.113.10:2222`)
  for (const raw of input.servers) {
    const s = raw.trim()
    const at = s.lastIndexOf('@')
    const user = at >= 0 ? s.slice(0, at) : undefined
    const address = at >= 0 ? s.slice(at + 1) : s
    if (user !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(user)) {
      errors.push(`${names.servers} ${JSON.stringify(s)}: ${JSON.stringify(user)} is not a user name; expected [user@]host[:port]`)
      continue
    }
    const p = serverHostProblem(address)
    if (p) {
      errors.push(`${names.servers} ${JSON.stringify(s)} ${p}; expected [user@]host[:port], e.g. deploy@203.0.113.10:2222`)
      continue
    }
    if (servers.includes(address)) errors.push(`${names.servers} ${JSON.stringify(address)} is given twice; give each server once`)
    servers.push(address)
    users.add(user ?? 'root')
  }
  if (users.size > 1) errors.push(`${names.servers}: the servers name different SSH users (${[...users].sort().join(', ')}); one run connects as one user: give the same user@ on every server`)

  const service = input.service?.trim() || (host ? serviceFromHost(host) : '')
  if (input.service !== undefined && !SERVICE.test(input.service.trim())) {
    errors.push(`${names.service} ${JSON.stringify(input.service)} is not a service name; expected letters, digits, \`_\` and \`-\`, e.g. my-app`)
  }

  const clear: Record<string, string> = {}
  for (const line of input.env) {
    const eq = line.indexOf('=')
    const name = eq > 0 ? line.slice(0, eq) : ''
    if (eq <= 0 || !ENV_NAME.test(name)) {
      errors.push(`${names.env} ${JSON.stringify(eq > 0 ? `${name}=…` : line)} is not NAME=VALUE; expected e.g. ${names.env} GREETING=hello`)
      continue
    }
    if (name in clear) errors.push(`${names.env} ${name} is given twice; give each variable once`)
    clear[name] = line.slice(eq + 1)
  }

  const secrets: string[] = []
  for (const name of input.secrets) {
    if (!VARIABLE.test(name)) {
      // Someone may have typed NAME=value: show the name only, never what follows `=`.
      const shown = name.includes('=') ? `${name.slice(0, name.indexOf('='))}=…` : name
      errors.push(`${names.secrets} ${JSON.stringify(shown)} is not a variable name; give the NAME only (its value is read from the environment variable NAME, never from the command line)`)
      continue
    }
    if (name in clear) errors.push(`${names.secrets} ${name} is also given with ${names.env}; give it one way`)
    else if (env[name] === undefined) errors.push(`${names.secrets} ${name}: the environment variable ${name} is not set; set it to the secret's value (e.g. export ${name}=… or the step's env)`)
    else if (!secrets.includes(name)) secrets.push(name)
  }

  const volumes: string[] = []
  for (const v of input.volumes) {
    const problem = volumeProblem(v)
    if (problem) errors.push(`${names.volumes} ${JSON.stringify(v)} ${problem}; expected NAME:/path/in/container (a named volume, kept across deploys), e.g. ${names.volumes} data:/data`)
    else volumes.push(v)
  }

  const appPort = input.appPort === undefined ? undefined : Number(input.appPort)
  if (appPort !== undefined && !(Number.isInteger(appPort) && appPort >= 1 && appPort <= 65535 && /^\d+$/.test(input.appPort!.trim()))) {
    errors.push(`${names.appPort} ${JSON.stringify(input.appPort)} is not a port; expected the port the app listens on in its container, 1 to 65535, e.g. ${names.appPort} 3000`)
  }
  const healthPath = input.healthPath?.trim()
  if (healthPath !== undefined && !/^\/[^\s?#]*$/.test(healthPath)) {
    errors.push(`${names.healthPath} ${JSON.stringify(input.healthPath)} is not a path; expected one starting with /, e.g. ${names.healthPath} /up`)
  }
  const registryUser = input.registryUser?.trim() || undefined

  if (errors.length > 0 || !image || !host) return { ok: false, errors }
  return {
    ok: true,
    spec: {
      service,
      ...(image.registry ? { registry: image.registry } : {}),
      image: image.path,
      tag: image.tag,
      host,
      servers,
      ...(users.size === 1 && !users.has('root') ? { sshUser: [...users][0]! } : {}),
      env: clear,
      secrets,
      volumes,
      ...(appPort !== undefined ? { appPort } : {}),
      ...(healthPath !== undefined ? { healthPath } : {}),
      ssl: input.ssl === true,
      ...(registryUser ? { registryUser } : {}),
    },
  }
}

/** `[registry[:port]/]path[:tag]`: the parts Kamal keeps apart (registry/server, image, the version). */
function parseImage(raw: string | undefined, name: string, errors: string[]): { registry?: string; path: string; tag: string } | null {
  const ref = raw?.trim()
  if (!ref) {
    errors.push(`${name} is missing: give the image to deploy, e.g. registry.example.com/team/app:v1`)
    return null
  }
  if (ref.includes('@')) {
    // Not yet: the engine deploys repository:tag (the tag names the container). Marked, not faked.
    errors.push(`${name} ${JSON.stringify(ref)} is pinned by digest, which config-less deploys do not take yet; give a tag (registry/repo:tag): cutover compares the tag's registry digest with what runs, so a re-pushed tag is still redeployed`)
    return null
  }
  const slash = ref.lastIndexOf('/')
  const colon = ref.lastIndexOf(':')
  const tag = colon > slash ? ref.slice(colon + 1) : 'latest'
  const name_ = colon > slash ? ref.slice(0, colon) : ref
  if (!TAG_PATTERN.test(tag)) {
    errors.push(`${name} ${JSON.stringify(ref)} has a bad tag ${JSON.stringify(tag)}; expected letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")`)
    return null
  }
  try {
    const target = registryTarget({}, name_)
    const first = name_.split('/')[0] ?? ''
    const hasRegistry = name_.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    return hasRegistry ? { registry: target.registry, path: name_.slice(first.length + 1), tag } : { path: name_, tag }
  } catch (e) {
    if (!(e instanceof ImageRefError)) throw e
    errors.push(`${name} ${JSON.stringify(ref)} is not an image reference; expected registry/repository:tag with a lowercase repository, e.g. registry.example.com/team/app:v1`)
    return null
  }
}

/** A named volume (`NAME:/path[:ro]`) or a host path (`/srv/x:/path[:ro]`): what `docker run --volume` takes. */
function volumeProblem(v: string): string | undefined {
  const parts = v.split(':')
  if (parts.length < 2 || parts.length > 3) return 'is not SOURCE:/path'
  const [source = '', target = '', mode] = parts
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source) && !source.startsWith('/')) return `has a bad volume name ${JSON.stringify(source)}`
  if (!target.startsWith('/')) return `mounts at ${JSON.stringify(target)}, not an absolute path`
  if (mode !== undefined && !/^(ro|rw|z|Z)(,(ro|rw|z|Z))*$/.test(mode)) return `has an unknown mode ${JSON.stringify(mode)}`
  return undefined
}
