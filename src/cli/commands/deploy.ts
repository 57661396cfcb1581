import { pauseAtFromEnv } from '../../engine/pause.js'
import type { DeployResult } from '../../engine/result.js'
import { deployService, dryRunService, type ServiceDeployRequest } from '../../engine/service.js'
import { type Command, configOptions, EXIT, UsageError, type CliIO } from '../command.js'
import { hostOptions, loadForCli, openSession, performer, runReference } from '../context.js'
import { renderResultTable } from '../result-table.js'
import { releaseOnSignal } from '../signals.js'

/** `cutover deploy`: converge every host on image:version, with zero downtime; a no-op when nothing changed. */
export const deployCommand: Command = {
  name: 'deploy',
  summary: 'Deploy image:VERSION to every host (a no-op when image and settings are unchanged)',
  usage: 'cutover deploy [-c FILE] [-d DEST] --version V --skip-build [--known-hosts FILE] [--ssh-key FILE] [--hosts H,…] [--json] [--dry-run]',
  options: {
    ...configOptions,
    ...hostOptions,
    version: { type: 'string' },
    'skip-build': { type: 'boolean' },
    hosts: { type: 'string' },
    message: { type: 'string', short: 'm' },
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  async run({ values }, io) {
    if (!values['skip-build']) {
      throw new UsageError('building is not available yet: build and push the image yourself, then deploy it with --skip-build --version V')
    }
    if (typeof values.version !== 'string' || values.version === '') throw new UsageError('--version V is required with --skip-build (the tag already in the registry)')
    const loaded = loadForCli(values, io)
    const session = openSession(loaded, values, io)
    const req: ServiceDeployRequest = {
      session,
      version: values.version,
      performer: performer(io.env),
      run: runReference(io.env),
      message: typeof values.message === 'string' ? values.message : undefined,
      onlyHosts: typeof values.hosts === 'string' ? values.hosts.split(',').map((h) => h.trim()).filter(Boolean) : undefined,
      pauseAt: pauseAtFromEnv(io.env as NodeJS.ProcessEnv),
    }
    const signals = releaseOnSignal(loaded.logger)
    try {
      if (values['dry-run']) {
        const plans = await dryRunService(req, loaded.logger)
        io.stdout(values.json ? `${JSON.stringify({ version: req.version, dryRun: true, hosts: plans }, null, 2)}\n` : renderDryRun(plans))
        return plans.some((p) => p.error) ? EXIT.failure : EXIT.ok
      }
      const result = await deployService({ ...req, onLock: signals.onLock }, loaded.logger)
      report(result, Boolean(values.json), io)
      return result.hosts.some((h) => h.action === 'failed') ? EXIT.failure : EXIT.ok
    } finally {
      signals.dispose()
      await session.close()
    }
  },
}

function report(result: DeployResult, json: boolean, io: CliIO): void {
  if (json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`)
  } else {
    io.stdout(renderResultTable(result))
  }
  const failed = result.hosts.filter((h) => h.action === 'failed')
  if (failed.length > 0) {
    io.stderr(`cutover deploy: ${failed.length} of ${result.hosts.length} host roles failed:\n${failed.map((h) => `  ${h.host} ${h.role}: ${h.error ?? 'failed'}`).join('\n')}\n`)
  }
}

function renderDryRun(plans: Awaited<ReturnType<typeof dryRunService>>): string {
  const lines: string[] = []
  for (const host of plans) {
    if (host.error) {
      lines.push(`${host.host}: cannot plan: ${host.error}`)
      continue
    }
    for (const role of host.roles) {
      lines.push(`${host.host} ${role.role}: ${role.outcome} → ${role.container}`)
      for (const step of role.steps) lines.push(`    ${step}`)
      for (const note of role.notes) lines.push(`    note: ${note}`)
    }
  }
  return `${lines.join('\n')}\n`
}
