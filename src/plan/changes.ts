import type { RunSpec } from '../argv/docker.js'
import type { HostState, ObservedContainer } from '../argv/observation.js'
import { proxyServiceName, SETTINGS_KEY_PATH } from '../argv/names.js'
import type { DesiredRole } from './desired.js'
import { diffSettings, type Side } from './diff.js'
import { isActive, newestFirst, targetNames } from './scope.js'
import { LABEL_SECRETS, LABEL_SETTINGS, readFlat } from './settings.js'
import { Secret } from './secret.js'
import type { Step } from './steps.js'

/** The container that serves this role now: the one kamal-proxy routes to, else the newest running one. */
export function servingNow(d: DesiredRole, seen: HostState, others: readonly ObservedContainer[]): ObservedContainer | null {
  const port = d.proxy?.route.appPort ?? 0
  const route = seen.routes?.find((r) => r.service === proxyServiceName(d))
  const target = route?.targets.length === 1 ? route.targets[0] : undefined
  const routed = target ? others.find((c) => targetNames(target, c, port)) : undefined
  return routed ?? [...others].filter(isActive).sort(newestFirst)[0] ?? null
}

/** The diff lines for this role on this host: what serves now against what the run deploys. */
export function roleChanges(d: DesiredRole, seen: HostState, others: readonly ObservedContainer[], spec: RunSpec): string[] {
  const now = servingNow(d, seen, others)
  const after: Side = { values: readFlat(spec.labels[LABEL_SETTINGS]) ?? {}, secrets: seen.settingsStored ? readFlat(spec.labels[LABEL_SECRETS]) : null }
  const before: Side | 'unrecorded' | null = now === null ? null : now.settings ? { values: readFlat(now.settings) ?? {}, secrets: readFlat(now.secrets) } : 'unrecorded'
  return diffSettings({ before, after, unbuiltFrom: d.unbuiltFrom })
}

/** A host without a settings key gets the one this run made (engine/observe.ts), 0600, before any container records hashes under it. */
export function settingsKeySteps(seen: HostState): Step[] {
  if (!seen.settingsKey || seen.settingsStored) return []
  const dir = SETTINGS_KEY_PATH.slice(0, SETTINGS_KEY_PATH.lastIndexOf('/'))
  return [
    { kind: 'mkdir', path: dir, exec: { argv: ['mkdir', '-p', '-m', '700', dir] } },
    { kind: 'writeFile', path: SETTINGS_KEY_PATH, mode: 0o600, content: new Secret(seen.settingsKey.reveal()), keys: 1 },
  ]
}
