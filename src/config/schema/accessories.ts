import { z } from 'zod'
import { envSchema } from './env.js'
import { type KamalOnlyKeys, section } from './section.js'
import { hostList, roleOptions } from './servers.js'
import { labelsSchema } from './shared.js'
import { leaf, listOf, mapOf, nonEmptyText, serverHost, text } from './values.js'

/**
 * Kamal's `accessories:` (lib/kamal/configuration/accessory.rb in meaning): services such as a
 * database booted next to the app with `cutover accessory boot`, never by `deploy`. Each value is
 * checked here; which hosts it lands on (host/hosts/role/roles/tag/tags, exactly one of them) is
 * resolved by normalize/accessories.ts, because roles are only known once `servers` is read.
 */

/** Names become container names (`<service>-<name>`) and file names: what Docker accepts there. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const NAME_EXPECTED = 'letters, digits, `_`, `.` or `-`, starting with a letter or digit'

const containerName = leaf<string>(`a container name (${NAME_EXPECTED})`, (v) =>
  typeof v === 'string' && NAME.test(v) ? { ok: true, value: v } : { ok: false, message: typeof v === 'string' ? `${JSON.stringify(v)} cannot be a container name` : 'is not a string' },
)

/** A full image reference: the tag is the user's to give here (cutover does not version accessories). */
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/
const image = leaf<string>('an image reference, e.g. mysql:8.0 or registry.example.com/team/redis:7', (v) =>
  typeof v === 'string' && IMAGE.test(v) && !/\s/.test(v) ? { ok: true, value: v } : { ok: false, message: typeof v === 'string' ? `${JSON.stringify(v)} is not an image reference` : v === undefined ? 'is missing' : 'is not a string' },
)

/** Kamal writes `port: 3306` (published as 3306:3306) or a full `--publish` value ("127.0.0.1:3306:3306"). */
const PORT = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(?:\d{1,5}:)?\d{1,5}(?:\/(?:tcp|udp|sctp))?$/
const port = leaf<string>('a port (3306) or a docker --publish value ("127.0.0.1:3306:3306")', (v) => {
  const s = typeof v === 'number' ? String(v) : v
  if (typeof s !== 'string') return { ok: false, message: v === undefined ? 'is missing' : 'is not a port' }
  return PORT.test(s) ? { ok: true, value: s } : { ok: false, message: `${JSON.stringify(s)} is not a port or publish value` }
})

/** `local:remote`: both parts present, the remote one an absolute path in the container. */
const mapping = (what: string, example: string) =>
  leaf<{ from: string; to: string }>(`${what}, e.g. ${example}`, (v) => {
    if (typeof v !== 'string') return { ok: false, message: v === undefined ? 'is missing' : 'is not a string' }
    const i = v.lastIndexOf(':')
    const from = v.slice(0, i)
    const to = v.slice(i + 1)
    if (i <= 0 || to === '') return { ok: false, message: `${JSON.stringify(v)} is not FROM:TO` }
    if (!to.startsWith('/')) return { ok: false, message: `${JSON.stringify(to)} is not an absolute path in the container` }
    if (from.split('/').includes('..')) return { ok: false, message: `${JSON.stringify(from)} climbs out with ..` }
    return { ok: true, value: { from, to } }
  })

export const ACCESSORY_KAMAL_ONLY = {
  proxy: { schema: mapOf(z.unknown(), 'a map of proxy settings'), note: 'accessories are not put behind kamal-proxy by cutover' },
  registry: { schema: mapOf(z.unknown(), 'a map of registry settings'), note: 'the image is pulled with the root registry login when it lives there, else as docker run pulls it' },
} satisfies KamalOnlyKeys

const accessory = section(
  {
    image,
    service: containerName.optional(),
    host: serverHost().optional(),
    hosts: hostList.optional(),
    role: nonEmptyText('a role name under servers').optional(),
    roles: listOf(nonEmptyText('a role name under servers'), 'a list of role names').optional(),
    tag: nonEmptyText('a host tag under servers').optional(),
    tags: listOf(nonEmptyText('a host tag under servers'), 'a list of host tags').optional(),
    port: port.optional(),
    cmd: text('a command string, e.g. redis-server --appendonly yes').optional(),
    env: envSchema('role').optional(),
    volumes: listOf(nonEmptyText('a volume, e.g. /host/path:/container/path or name:/path'), 'a list of volumes').optional(),
    directories: listOf(mapping('a host directory and where it is mounted', 'data:/var/lib/mysql'), 'a list of HOST:CONTAINER directories').optional(),
    files: listOf(mapping('a local file and where it is mounted', 'config/my.cnf:/etc/mysql/my.cnf'), 'a list of LOCAL:CONTAINER files').optional(),
    options: roleOptions.optional(),
    labels: labelsSchema.optional(),
    network: nonEmptyText('a docker network name, default kamal').optional(),
  },
  { expected: 'a map with image and one of host, hosts, role, roles, tag or tags', kamalOnly: ACCESSORY_KAMAL_ONLY },
)
export type AccessoryInput = z.output<typeof accessory>

export const accessoriesSchema = mapOf(accessory, 'a map of accessory name: settings (image, host, …)').superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    if (!NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `accessory name ${JSON.stringify(name)} cannot be used in container names`, params: { expected: NAME_EXPECTED } })
  }
})
