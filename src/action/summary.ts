import type { CheckState } from '../gate/index.js'
import type { FailureDetail, RetainedVersions, RunOutcome } from './engine-port.js'
import type { ActionCommand } from './inputs.js'

/** Everything the job summary shows; rendering is pure so tests read the markdown directly. */
export interface SummaryInput {
  command: ActionCommand
  environment: string
  ok: boolean
  sha: string
  outcome?: RunOutcome
  failure?: { message: string; detail: FailureDetail }
}

const TITLES: Record<ActionCommand, string> = {
  deploy: 'deploy',
  rollback: 'rollback',
  remove: 'remove',
  'preview-deploy': 'preview deploy',
  'preview-remove': 'preview removal',
  exec: 'one-off command',
}

export function renderSummary(s: SummaryInput): string {
  const o = s.outcome
  const changed = o?.result.changed
  const mark = !s.ok ? '❌' : changed === false ? '⏸️' : '✅'
  const state = !s.ok ? 'failed' : changed === false ? 'nothing to change' : 'done'
  const out: string[] = [`### ${mark} cutover ${TITLES[s.command]} to \`${s.environment}\`: ${state}`, '']

  if (o && o.result.hosts.length) {
    out.push('| Host | Role | Action | Container | Time |', '| --- | --- | --- | --- | --- |')
    for (const h of o.result.hosts) {
      out.push(`| ${cell(h.host)} | ${cell(h.role)} | ${h.action === 'failed' ? '**failed**' : h.action} | ${h.container ? `\`${cell(h.container)}\`` : ''} | ${duration(h.durationMs)} |`)
    }
    out.push('')
  }

  const facts: string[] = []
  if (o?.result.version) facts.push(`- **Version:** \`${o.result.version}\``)
  else facts.push(`- **Commit:** \`${s.sha.slice(0, 12)}\``)
  if (o?.result.image) facts.push(`- **Image:** \`${o.result.image}\``)
  if (o?.url && s.command !== 'remove' && s.command !== 'preview-remove') facts.push(`- **URL:** ${o.url}`)
  if (o?.build) facts.push(`- **Build:** ${o.build.action}: ${o.build.detail}`)
  const gate = s.failure?.detail.kind === 'gate' ? s.failure.detail.gate : o?.gate
  if (gate) facts.push(`- **CI gate:** ${firstLine(gate.summary)}`)
  out.push(...facts, '')

  // What changed per host and role (plan/diff.ts): the image, settings, and which secrets (never their values).
  const withChanges = o?.result.hosts.filter((h) => h.changes?.length) ?? []
  if (withChanges.length) {
    out.push('#### Changes', '')
    for (const h of withChanges) out.push(`**${cell(h.host)}** (${cell(h.role)})`, '', fence((h.changes ?? []).join('\n')), '')
  }

  const failedHosts = o?.result.hosts.filter((h) => h.action === 'failed') ?? []
  if (failedHosts.length) {
    out.push('#### Failed hosts', '')
    for (const h of failedHosts) out.push(`**${cell(h.host)}** (${cell(h.role)})`, '', fence(h.error ?? 'no reason given'), '')
  }

  const failing = failingChecks(gate?.checks ?? [])
  if (failing.length) {
    out.push('#### Failing checks', '')
    for (const c of failing) out.push(`- ${c.url ? `[${c.name}](${c.url})` : c.name}: ${c.detail}`)
    out.push('')
  }

  if (s.failure && s.failure.detail.kind !== 'gate') out.push('#### Error', '', fence(s.failure.message), '')
  if (s.failure?.detail.kind === 'config') {
    out.push('| File | Key | Problem |', '| --- | --- | --- |')
    for (const p of s.failure.detail.problems) {
      out.push(`| ${cell(p.file)}${p.line !== undefined ? `:${p.line}` : ''} | \`${cell(p.keyPath || '(file)')}\` | ${cell(p.message)}${p.expected ? `; expected ${cell(p.expected)}` : ''} |`)
    }
    out.push('')
  }

  const retained = s.failure?.detail.kind === 'version-missing' ? s.failure.detail.retained : (o?.retained ?? [])
  if (retained.some((r) => r.versions.length)) out.push(...retainedTable(retained))
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`
}

function retainedTable(retained: RetainedVersions[]): string[] {
  const out = ['#### Versions retained for rollback', '', 'Roll back with `command: rollback` and `version: <one of these>`.', '']
  out.push('| Host | Role | Versions (newest first) |', '| --- | --- | --- |')
  for (const r of retained) {
    const versions = r.versions.map((v) => `\`${cell(v.version)}\`${v.running ? ' (running)' : ''}`).join(', ')
    out.push(`| ${cell(r.host)} | ${cell(r.role)} | ${versions || 'none'} |`)
  }
  out.push('')
  return out
}

const failingChecks = (checks: readonly CheckState[]): CheckState[] => checks.filter((c) => c.state === 'failed')

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}

function fence(text: string): string {
  const ticks = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)))
  return `${ticks}text\n${text}\n${ticks}`
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? ''
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}
