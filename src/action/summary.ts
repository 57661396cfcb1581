import type { CheckState } from '../gate/index.js'
import type { FailureDetail, RetainedVersions, RunOutcome } from './engine-port.js'
import type { ActionCommand } from './inputs.js'
import type { PhaseTiming } from './timings.js'

/** Everything the job summary shows; rendering is pure so tests read the markdown directly. */
export interface SummaryInput {
  command: ActionCommand
  environment: string
  ok: boolean
  sha: string
  outcome?: RunOutcome
  failure?: { message: string; detail: FailureDetail }
  /** How long the gate and the build took (their phases); each host's time is in its row. */
  timings?: PhaseTiming[]
  /** The whole run, from main's start to the summary. */
  totalMs?: number
  links?: SummaryLinks
}

/** Where a person goes from the summary: the commit, the run's log and the environment's Deployments. */
export interface SummaryLinks {
  commit?: string
  run?: string
  deployment?: string
}

/** The links a runner's environment allows (GITHUB_SERVER_URL, GITHUB_REPOSITORY, the run id); `environment` only when a Deployment was recorded. */
export function summaryLinks(env: NodeJS.ProcessEnv, sha: string, environment?: string): SummaryLinks {
  const server = env.GITHUB_SERVER_URL?.replace(/\/+$/, '')
  const repo = env.GITHUB_REPOSITORY
  if (!server || !repo) return {}
  const run = env.GITHUB_RUN_ID ? `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}` : undefined
  return {
    commit: `${server}/${repo}/commit/${sha}`,
    ...(run ? { run } : {}),
    ...(environment ? { deployment: `${server}/${repo}/deployments/${encodeURIComponent(environment)}` } : {}),
  }
}

const TITLES: Record<ActionCommand, string> = {
  deploy: 'deploy',
  rollback: 'rollback',
  remove: 'remove',
  'preview-deploy': 'preview deploy',
  'preview-remove': 'preview removal',
  plan: 'plan',
  exec: 'one-off command',
}

export function renderSummary(s: SummaryInput): string {
  const o = s.outcome
  const changed = o?.result.changed
  const mark = !s.ok ? '❌' : changed === false ? '⏸️' : '✅'
  const state = !s.ok ? 'failed' : changed === false ? 'nothing to change' : 'done'
  const out: string[] = [`### ${mark} cutover ${TITLES[s.command]} to \`${s.environment}\`: ${state}`, '']

  if (o && o.result.hosts.length) {
    out.push('| Host | Role | Action | Previous | Container | Time |', '| --- | --- | --- | --- | --- | --- |')
    for (const h of o.result.hosts) {
      const before = previousVersion(h, o.retained, o.result.version)
      out.push(`| ${cell(h.host)} | ${cell(h.role)} | ${h.action === 'failed' ? '**failed**' : h.action} | ${before ? `\`${cell(before)}\`` : '—'} | ${h.container ? `\`${cell(h.container)}\`` : ''} | ${duration(h.durationMs)} |`)
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
  const times = [...(s.timings ?? []).filter((t) => !t.name.startsWith('host ')).map((t) => `${t.name} ${duration(t.ms)}`), ...(s.totalMs !== undefined ? [`whole run ${duration(s.totalMs)}`] : [])]
  if (times.length) facts.push(`- **Durations:** ${times.join(' · ')} (each host's in its row)`)
  const links = linkLine(s.links, s.sha)
  if (links) facts.push(links)
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

/**
 * What a host and role served before this run: for a replaced role, the newest retained version
 * that is not this run's (its old container is kept, stopped); unchanged, the same version; a
 * failed one keeps serving what runs there. Undefined: nothing served before (booted) or not known.
 */
export function previousVersion(h: { host: string; role: string; action: string }, retained: readonly RetainedVersions[], version: string): string | undefined {
  const versions = retained.find((r) => r.host === h.host && r.role === h.role)?.versions ?? []
  if (h.action === 'booted') return undefined
  if (h.action === 'unchanged') return version || versions.find((v) => v.running)?.version
  if (h.action === 'failed') return versions.find((v) => v.running)?.version
  return versions.find((v) => v.version !== version)?.version
}

/** `[commit abc123](…) · [run](…) · [Deployment](…)`, or undefined outside a runner. */
export function linkLine(links: SummaryLinks | undefined, sha: string): string | undefined {
  if (!links) return undefined
  const parts = [
    ...(links.commit ? [`[commit \`${sha.slice(0, 12)}\`](${links.commit})`] : []),
    ...(links.run ? [`[run log](${links.run})`] : []),
    ...(links.deployment ? [`[Deployments](${links.deployment})`] : []),
  ]
  return parts.length ? `- **Links:** ${parts.join(' · ')}` : undefined
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

export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}

export function fence(text: string): string {
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
