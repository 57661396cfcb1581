import { z } from 'zod'
import { envSchema } from './env.js'
import { roleProxy } from './proxy.js'
import { byKind, type KamalOnlyKeys, section } from './section.js'
import { labelsSchema, loggingSchema } from './shared.js'
import { bool, listOf, mapOf, SERVER_HOST_EXPECTED, serverHost, serverHostProblem, seconds, stringish, text } from './values.js'

export interface HostEntry {
  host: string
  tags: string[]
}

const TAGGED_EXPECTED = `one host, e.g. 192.168.0.2, or one host with its tags, e.g. "192.168.0.2: [tag1, tag2]"`

/** `- 1.1.1.2: [tag1, tag2]` or `- 1.1.1.2: tag1`: a one-key map from host to tags. */
const taggedHost = z.any().transform((value: Record<string, unknown>, ctx): HostEntry => {
  const entries = Object.entries(value)
  if (entries.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `names ${entries.length} hosts in one entry`, params: { expected: TAGGED_EXPECTED } })
    return z.NEVER
  }
  const [host, tags] = entries[0]!
  const problem = serverHostProblem(host)
  if (problem) {
    ctx.addIssue({ code: 'custom', path: [host], message: `${JSON.stringify(host)} ${problem}`, params: { expected: SERVER_HOST_EXPECTED } })
    return z.NEVER
  }
  const list = Array.isArray(tags) ? tags : [tags]
  const bad = list.findIndex((t) => typeof t !== 'string' || t === '')
  if (bad >= 0) {
    ctx.addIssue({ code: 'custom', path: Array.isArray(tags) ? [host, bad] : [host], message: 'has a tag that is not a name', params: { expected: 'a tag name or a list of tag names' } })
    return z.NEVER
  }
  return { host, tags: list as string[] }
})

const hostEntry = byKind({ string: serverHost().transform((host): HostEntry => ({ host, tags: [] })), map: taggedHost }, TAGGED_EXPECTED)
export const hostList = listOf(hostEntry, 'a list of hosts')

/** Docker options for `docker run` (`memory: 2g`, `add-host: [...]`); restart is checked as Kamal does. */
export type RoleOptionValue = string | true | string[]
const optionValue = byKind(
  {
    string: stringish(),
    number: stringish(),
    // Kamal writes `--flag` for true and `--flag false` for false; an empty value is a bare flag too.
    boolean: bool().transform((b): RoleOptionValue => (b ? true : 'false')),
    null: z.null().transform((): RoleOptionValue => true),
    list: listOf(stringish(), 'a list of values'),
  },
  'a value, true for a flag, or a list of values',
)
const RESTART = /^(?:no|always|unless-stopped|on-failure(?::\d+)?)$/
const options = mapOf(optionValue, 'a map of docker run options, e.g. memory: 2g').superRefine((opts, ctx) => {
  const restart = opts.restart
  if (restart !== undefined && (typeof restart !== 'string' || !RESTART.test(restart))) {
    ctx.addIssue({ code: 'custom', path: ['restart'], message: 'is not a restart policy', params: { expected: 'no, always, unless-stopped, on-failure or on-failure:N' } })
  }
})

/** The same `options:` map accessories take (schema/accessories.ts). */
export const roleOptions = options

export const ROLE_KAMAL_ONLY = { asset_path: { schema: text(), note: 'asset bridging between versions is not done yet' } } satisfies KamalOnlyKeys

export const roleSection = section(
  {
    hosts: hostList.optional(),
    cmd: text('a command string, e.g. bin/jobs').optional(),
    stop_timeout: seconds(1).optional(),
    options: options.optional(),
    logging: loggingSchema.optional(),
    proxy: roleProxy.optional(),
    labels: labelsSchema.optional(),
    env: envSchema('role').optional(),
  },
  {
    expected: 'a list of hosts, or a map with hosts and role settings',
    kamalOnly: ROLE_KAMAL_ONLY,
  },
)
export type RoleInput = z.output<typeof roleSection>

const role = byKind({ list: hostList.transform((hosts): RoleInput => ({ hosts })), map: roleSection }, 'a list of hosts, or a map with hosts and role settings')

/** Role names become container names and labels, so they must be usable there. */
const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const roles = mapOf(role, 'a map of roles').superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    if (!ROLE_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `role name ${JSON.stringify(name)} cannot be used in container names`, params: { expected: 'letters, digits, `_`, `.` or `-`, starting with a letter or digit' } })
    }
  }
})

const SERVERS_EXPECTED = 'a list of hosts (all in the web role), or a map of roles, e.g. web: [192.168.0.1]'
export const serversSchema = byKind(
  {
    list: hostList.transform((hosts): Record<string, RoleInput> => ({ web: { hosts } })),
    map: roles,
  },
  SERVERS_EXPECTED,
)
