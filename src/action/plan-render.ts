import type { PlanOutcome } from './engine-port.js'
import { cell, fence } from './summary.js'

export interface PlanView {
  pr: number
  sha: string
  environment: string
  logUrl?: string
}

/**
 * The plan as markdown, for the sticky PR comment and the job summary alike: per host and role,
 * what a deploy of the PR's head would do and why (image, env keys, volumes, proxy options,
 * roles added or removed; secrets only as "changed", from keyed hashes, never values). Pure.
 */
export function renderPlan(v: PlanView, plan: PlanOutcome | undefined, error?: string): string {
  const sha = v.sha.slice(0, 12)
  const log = v.logUrl ? ` · [run log](${v.logUrl})` : ''
  if (!plan) return `### ❌ cutover plan for #${v.pr} failed\n\nCommit \`${sha}\`${log}.\n\n${fence(error ?? 'no reason given')}\n`
  const changing = planChanges(plan)
  const out = [`### 📋 cutover plan: deploying #${v.pr} (\`${sha}\`) to \`${cell(v.environment)}\` ${changing ? `would change ${changing} role${changing === 1 ? '' : 's'} on the hosts` : 'would change nothing'}`, '']
  out.push('| Host | Role | Would | Changes |', '| --- | --- | --- | --- |')
  for (const h of plan.hosts) {
    if (h.error) {
      out.push(`| ${cell(h.host)} | | **cannot plan** | ${cell(h.error)} |`)
      continue
    }
    for (const r of h.roles) out.push(`| ${cell(h.host)} | ${cell(r.role)} | ${verb(r)} | ${r.changes.map((c) => `\`${cell(c)}\``).join('<br>') || '—'} |`)
    for (const role of h.removedRoles ?? []) out.push(`| ${cell(h.host)} | ${cell(role)} | role removed | runs here but is no longer in the config; a deploy leaves it running |`)
  }
  out.push('', `Version \`${cell(plan.version)}\` · nothing was built and no host was changed to make this plan${log}.`)
  return `${out.join('\n')}\n`
}

/** How many host roles a deploy would change (a removed role counts: it differs from the config). */
export function planChanges(plan: PlanOutcome): number {
  return plan.hosts.reduce((n, h) => n + h.roles.filter((r) => r.outcome !== 'unchanged').length + (h.removedRoles?.length ?? 0), 0)
}

function verb(r: { outcome: string; changes: string[] }): string {
  if (r.outcome === 'unchanged') return 'nothing'
  if (r.changes[0]?.startsWith('new:')) return '**role added**'
  return `**${cell(r.outcome)}**`
}

/** Whether the plan could be made on every host. */
export const planOk = (plan: PlanOutcome): boolean => plan.hosts.every((h) => !h.error)
