import type { LockRelease, RetainedVersions } from './engine-port.js'
import type { ActionCommand } from './inputs.js'
import { cell, duration, fence, linkLine, type SummaryLinks } from './summary.js'

/**
 * Job summaries for runs that stopped before they could report: the inputs were wrong (nothing
 * ran), or the run was cancelled or killed (the post step writes it, from what the hosts serve
 * after the stop). Pure, so tests read the markdown directly.
 */

/** Bad inputs or an event cutover refuses (a fork's PR): the problems, each with its fix. Nothing ran. */
export function renderInputErrorSummary(problems: readonly string[]): string {
  const out = ['### ❌ cutover did not start: the inputs need a fix', '', 'Nothing was built, deployed or locked.', '']
  for (const p of problems) out.push(`- ${p.replace(/\r?\n/g, ' ')}`)
  return `${out.join('\n')}\n`
}

export interface CancelledSummary {
  command: ActionCommand
  environment: string
  sha: string
  /** The run went for the deploy lock, so a host may have changed. */
  reached: boolean
  /** What each host and role serves now, or why that could not be read. */
  serving: RetainedVersions[] | { error: string }
  /** The post step's lock check, when the run may have held it. */
  lock?: LockRelease | { error: string }
  /** The state the Deployment was set to, when there is one. */
  deployment?: 'failure' | 'inactive'
  /** From main's start to the post step. */
  elapsedMs?: number
  links?: SummaryLinks
}

/** `failure` when the run may have changed a host, `inactive` when it stopped before touching any. */
export const cancelledDeploymentState = (reached: boolean): 'failure' | 'inactive' => (reached ? 'failure' : 'inactive')

export function renderCancelledSummary(s: CancelledSummary): string {
  const out = [`### 🛑 cutover ${s.command} to \`${s.environment}\`: cancelled`, '']
  out.push(
    s.reached
      ? 'The run was cancelled (or killed) while it was deploying: a host may have been switched before it stopped. What each host serves now:'
      : 'The run was cancelled (or killed) before it touched any host: nothing changed. What each host serves:',
    '',
  )
  if ('error' in s.serving) {
    out.push(`Could not read what the hosts serve: ${cell(s.serving.error)}`, '')
  } else if (s.serving.length === 0) {
    out.push('No host runs this app.', '')
  } else {
    out.push('| Host | Role | Serving | Retained |', '| --- | --- | --- | --- |')
    for (const r of s.serving) {
      const running = r.versions.filter((v) => v.running).map((v) => `\`${cell(v.version)}\``)
      const kept = r.versions.filter((v) => !v.running).map((v) => `\`${cell(v.version)}\``)
      out.push(`| ${cell(r.host)} | ${cell(r.role)} | ${running.join(', ') || '**nothing**'} | ${kept.join(', ') || '—'} |`)
    }
    out.push('')
  }
  const facts = [`- **Commit:** \`${s.sha.slice(0, 12)}\``]
  if (s.lock) facts.push(`- **Deploy lock:** ${lockLine(s.lock)}`)
  if (s.deployment) facts.push(`- **Deployment:** marked \`${s.deployment}\``)
  if (s.elapsedMs !== undefined) facts.push(`- **Ran for:** ${duration(s.elapsedMs)} before the post step`)
  const links = linkLine(s.links, s.sha)
  if (links) facts.push(links)
  out.push(...facts, '')
  if (s.reached) out.push('Run the deploy again to converge every host (it finishes what this run left), or roll back with `command: rollback`.', '')
  return `${out.join('\n').trimEnd()}\n`
}

function lockLine(l: LockRelease | { error: string }): string {
  if ('error' in l) return `could not be checked; release it by hand once nobody is deploying:\n\n${fence(l.error)}`
  if (l.outcome === 'released') return 'this run held it; released'
  if (l.outcome === 'not-held') return 'not held'
  return 'held by someone else; left alone'
}
