import { previewHost, type DeployConfig } from '../config/index.js'

/** `<service>-pr-<N>`: a preview is its own service, so its containers, route and lock never touch production's. */
export const previewService = (service: string, pr: number): string => `${service}-pr-${pr}`

/**
 * The config a PR preview deploys with: the primary role only, on the preview hosts, routed on
 * the preview's own host name, with the preview's env (production secrets only when
 * `preview.inherit_secrets` says so; the config layer has already applied that).
 */
export function previewConfig(config: DeployConfig, pr: number): DeployConfig {
  if (!Number.isInteger(pr) || pr < 1) throw new Error(`pull request number ${pr} is not a whole number ≥ 1`)
  const preview = config.preview
  if (!preview) {
    throw new Error(
      `${config.files[0] ?? 'config/deploy.yml'}: preview: is missing; expected a preview block for PR previews, e.g.\n` +
        'preview:\n  host: pr-{number}.preview.example.com',
    )
  }
  const primary = config.roles.find((r) => r.name === config.primaryRole) ?? config.roles.find((r) => r.primary)
  if (!primary) throw new Error(`the primary role ${config.primaryRole} is not in servers; previews run the primary role`)
  if (preview.hosts.length === 0) throw new Error('preview/hosts: no hosts to run previews on; expected preview.hosts or hosts on the primary role')
  const proxy = { ...(primary.proxy ?? config.proxy), hosts: [previewHost(preview.hostTemplate, pr)] }
  return {
    ...config,
    service: previewService(config.service, pr),
    roles: [{ ...primary, hosts: preview.hosts, env: preview.env, proxy }],
    proxy,
    preview: undefined,
    tagsLatest: false,
  }
}
