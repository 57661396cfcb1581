import type { HostPlan } from '../plan/host.js'
import type { Step } from '../plan/steps.js'
import type { RemoteHost } from '../remote/host.js'
import type { Barrier } from './barrier.js'
import type { DeployDeps } from './deploy.js'
import { RollbackError } from './errors.js'
import { executeSteps } from './execute.js'
import type { FleetRollback } from './fleet-rollback.js'
import type { HostResult } from './result.js'

export interface BarrierUse {
  barrier: Barrier
  primaryRole: string | undefined
}

/**
 * Run one host's roles in order; a failed role stops the host (later roles keep their old
 * version). Never rejects: a host whose connection cannot be had again (it dropped since the
 * observe) fails its roles like any step would, so the other hosts' results, the barrier and
 * the lock's release are not lost with it.
 */
export async function runHost(hostName: string, hostPlan: HostPlan, deps: DeployDeps, now: () => number, gate: BarrierUse, fleet: FleetRollback): Promise<HostResult[]> {
  const log = deps.hostLog?.(hostName) ?? deps.logger.child(`[${hostName}]`)
  const results: HostResult[] = []
  let failure: string | null = null
  let host: RemoteHost | undefined
  for (const r of hostPlan.roles) {
    const started = now()
    const base = { host: hostName, role: r.role, container: r.result.container, ...(r.result.changes?.length ? { changes: r.result.changes } : {}), ...(r.result.finished?.length ? { finished: r.result.finished } : {}) }
    const primary = r.role === gate.primaryRole
    if (failure !== null) {
      if (primary && r.steps.length > 0) gate.barrier.primaryFailed()
      fleet.failed(hostName, r.role, 'not attempted: an earlier role on this host failed')
      results.push({ ...base, action: 'failed', durationMs: 0, error: `not attempted: an earlier role on ${hostName} failed` })
      continue
    }
    if (r.steps.length === 0) {
      results.push({ ...base, action: 'unchanged', durationMs: now() - started })
      continue
    }
    const roleLog = log.child(`${r.role}:`)
    for (const note of r.result.notes) roleLog.warn(note)
    try {
      host ??= await deps.pool.host(hostName)
      const report = await executeSteps(host, r.steps, {
        logger: roleLog,
        redact: deps.redact,
        pauseAt: deps.pauseAt,
        fleet: { fleet, host: hostName, role: r.role },
        ...(primary
          ? { after: (step: Step) => (step.kind === 'proxyDeploy' || step.kind === 'awaitHealthy') && gate.barrier.primaryHealthy() }
          : {
              before: async (step: Step) => {
                if (step.kind !== 'stop') return
                roleLog.info(`waiting for the ${gate.primaryRole} role to be healthy before stopping the old container`)
                await gate.barrier.opened
              },
            }),
      })
      if (primary) gate.barrier.primaryHealthy()
      if (r.result.finished?.length) roleLog.info(`finished what an earlier run left after its switch: ${r.result.finished.join('; ')}`)
      roleLog.info(`${r.result.outcome} → ${r.result.container}`)
      results.push({ ...base, action: r.result.outcome, durationMs: now() - started, ...(report.downtimeMs !== undefined ? { downtimeMs: report.downtimeMs } : {}) })
    } catch (e) {
      if (primary) gate.barrier.primaryFailed()
      failure = deps.redact(e instanceof Error ? e.message : String(e))
      fleet.failed(hostName, r.role, failure.split('\n')[0] ?? failure)
      roleLog.error(failure)
      results.push({ ...base, action: 'failed', durationMs: now() - started, error: failure, ...(e instanceof RollbackError ? { rolledBack: true } : {}) })
    }
  }
  return results
}

