import { z } from 'zod'
import { envSchema } from './env.js'
import { hostList } from './servers.js'
import { section } from './section.js'
import { bool, leaf, proxyHostProblem } from './values.js'

/**
 * cutover addition (not a Kamal key): PR preview deploys. `host` is a template for the preview's
 * proxy host with `{number}` standing for the pull request number; `hosts` are the servers to run
 * previews on (default: the primary role's hosts); `env` is the preview's own env. Production's
 * secret env is passed to previews only with `inherit_secrets: true`.
 */
export const PREVIEW_NUMBER = '{number}'

const template = leaf<string>('a host name containing {number}, e.g. pr-{number}.preview.example.com', (v) => {
  if (typeof v !== 'string') return { ok: false, message: v === undefined ? 'is missing' : 'is not a string' }
  if (!v.includes(PREVIEW_NUMBER)) return { ok: false, message: `${JSON.stringify(v)} does not contain ${PREVIEW_NUMBER}` }
  const problem = proxyHostProblem(previewHost(v, 1))
  return problem ? { ok: false, message: `${JSON.stringify(v)} ${problem}` } : { ok: true, value: v }
})

export const previewSchema = section(
  { host: template, hosts: hostList.optional(), env: envSchema('preview').optional(), inherit_secrets: bool().optional() },
  { expected: 'a map with host (e.g. pr-{number}.preview.example.com), hosts, env and inherit_secrets' },
)
export type PreviewInput = z.output<typeof previewSchema>

/** The proxy host of the preview for pull request `number`. */
export const previewHost = (template: string, number: number): string => template.split(PREVIEW_NUMBER).join(String(number))
