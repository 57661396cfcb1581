import type { FailureDetail, RunOutcome } from './engine-port.js'

/** One `::error` annotation: what core.error takes. */
export interface Annotation {
  message: string
  title: string
  file?: string
  startLine?: number
}

/**
 * The error annotations for a failed run: one per reason, so the run's page lists each problem
 * once. Config errors point at the file and line of the bad key; host failures name the host
 * and carry the engine's (already redacted) reason and log tail.
 */
export function failureAnnotations(failure: { message: string; detail: FailureDetail } | undefined, outcome: RunOutcome | undefined): Annotation[] {
  const out: Annotation[] = []
  if (failure?.detail.kind === 'config') {
    for (const p of failure.detail.problems) {
      out.push({
        title: 'cutover: config error',
        message: `${p.keyPath ? `${p.keyPath}: ` : ''}${p.message}${p.expected ? `; expected ${p.expected}` : ''}`,
        file: p.file,
        ...(p.line !== undefined ? { startLine: p.line } : {}),
      })
    }
    if (out.length) return out
  }
  if (failure) {
    const titles: Record<FailureDetail['kind'], string> = {
      config: 'cutover: config error',
      gate: 'cutover: CI gate',
      'lock-held': 'cutover: deploy lock held',
      'version-missing': 'cutover: version not found',
      other: 'cutover failed',
    }
    out.push({ title: titles[failure.detail.kind], message: failure.message })
  }
  for (const h of outcome?.result.hosts ?? []) {
    if (h.action === 'failed') out.push({ title: `cutover: ${h.host} failed`, message: `${h.host}: ${h.role}: ${h.error ?? 'failed (no reason given)'}` })
  }
  return out
}
