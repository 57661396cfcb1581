import { z } from 'zod'
import { accessoriesSchema } from './accessories.js'
import { bootSchema } from './boot.js'
import { builderSchema } from './builder.js'
import { envSchema } from './env.js'
import { hooksOutputSchema, hooksPathSchema } from './hooks.js'
import { previewSchema } from './preview.js'
import { rootProxy } from './proxy.js'
import { registrySchema } from './registry.js'
import { type KamalOnlyKeys, section } from './section.js'
import { serversSchema } from './servers.js'
import { labelsSchema, loggingSchema } from './shared.js'
import { sshSchema } from './ssh.js'
import { xCutoverSchema } from './x-cutover.js'
import { bool, count, leaf, listOf, mapOf, nonEmptyText, seconds, stringish, text } from './values.js'

const SERVICE = /^[a-z0-9_-]+$/i
const service = leaf<string>('a name of letters, digits, `_` and `-`, e.g. my-app', (v) =>
  typeof v === 'string' && SERVICE.test(v) ? { ok: true, value: v } : { ok: false, message: typeof v === 'string' ? `${JSON.stringify(v)} is not a valid service name` : v === undefined ? 'is missing' : 'is not a string' },
)

// A docker repository path, optionally behind a registry host; lowercase, and no tag: cutover adds the version.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const IMAGE = new RegExp(`^(?:[A-Za-z0-9.-]+(?::\\d+)?/)?${COMPONENT}(?:/${COMPONENT})*$`)
const image = leaf<string>('an image name without a tag, e.g. my-user/my-app', (v) => {
  if (typeof v !== 'string') return { ok: false, message: v === undefined ? 'is missing' : 'is not a string' }
  if (/@|:[\w][\w.-]*$/.test(v.replace(/^[^/]+\//, ''))) return { ok: false, message: `${JSON.stringify(v)} includes a tag or digest (cutover tags the image with the version)` }
  return IMAGE.test(v) ? { ok: true, value: v } : { ok: false, message: `${JSON.stringify(v)} is not a valid image name (lowercase letters, digits, ., _, - and /)` }
})

const map = (what: string) => mapOf(z.unknown(), `a map of ${what}`)

/** Kamal root keys cutover accepts but does not act on; each present one gets a warning. */
export const ROOT_KAMAL_ONLY = {
  aliases: { schema: mapOf(stringish(), 'a map of alias: command') },
  asset_path: { schema: text(), note: 'asset bridging between versions is not done yet' },
  error_pages_path: { schema: text() },
  minimum_version: { schema: stringish(), note: 'it names a Kamal version' },
  run_directory: { schema: text(), note: 'cutover keeps Kamal’s default, .kamal' },
  sshkit: { schema: map('sshkit settings') },
  output: { schema: map('output settings') },
} satisfies KamalOnlyKeys

export const rootSchema = section(
  {
    service,
    image: image.optional(),
    servers: serversSchema,
    registry: registrySchema,
    env: envSchema('root').optional(),
    proxy: rootProxy.optional(),
    ssh: sshSchema.optional(),
    builder: builderSchema.optional(),
    volumes: listOf(nonEmptyText('a volume, e.g. /host/path:/container/path or name:/path'), 'a list of volumes').optional(),
    labels: labelsSchema.optional(),
    logging: loggingSchema.optional(),
    retain_containers: count(1, 'a whole number of containers to keep, at least 1').optional(),
    deploy_timeout: seconds(1).optional(),
    drain_timeout: seconds(0).optional(),
    stop_timeout: seconds(1).optional(),
    readiness_delay: seconds(0).optional(),
    primary_role: text('a role name under servers').optional(),
    require_destination: bool().optional(),
    allow_empty_roles: bool().optional(),
    secrets_path: nonEmptyText('a path, e.g. .kamal/secrets').optional(),
    hooks_path: hooksPathSchema.optional(),
    hooks_output: hooksOutputSchema.optional(),
    'x-cutover': xCutoverSchema.optional(),
    /** The old place of `x-cutover/preview`: still read, with a warning (Kamal rejects this key). */
    preview: previewSchema.optional(),
    boot: bootSchema.optional(),
    accessories: accessoriesSchema.optional(),
  },
  { expected: 'a map with service, image, servers and registry', kamalOnly: ROOT_KAMAL_ONLY, extensions: true },
)
export type RootInput = z.output<typeof rootSchema>
