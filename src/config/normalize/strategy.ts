import type { BootInput } from '../schema/boot.js'
import type { Strategy, XCutoverInput } from '../schema/x-cutover.js'
import { closest } from '../suggest.js'
import type { BootConfig, RoleConfig } from '../types.js'
import type { Collector } from './roles.js'

/**
 * `x-cutover.roles.<role>.strategy` onto each role. Default blue-green for every role: for a role
 * behind kamal-proxy that is the switch (new alongside old, health gate, switch, reap); for a role
 * without the proxy (a worker) it is what cutover always did: the new container runs and is ready
 * before the old one stops, so the two overlap briefly. `recreate` stops the old container first
 * (workers that must never run twice, a volume only one container may hold) at the price of
 * downtime, which the run measures and reports.
 */
export function applyStrategies(roles: RoleConfig[], xc: XCutoverInput | undefined, volumes: readonly string[], c: Collector): RoleConfig[] {
  const settings = xc?.roles ?? {}
  const names = roles.map((r) => r.name)
  for (const name of Object.keys(settings)) {
    if (names.includes(name)) continue
    const guess = closest(name, names)
    c.problems.push({
      keyPath: `x-cutover/roles/${name}`,
      message: `names the role ${JSON.stringify(name)}, which is not under servers${guess ? ` (did you mean \`${guess}\`?)` : ''}`,
      expected: `one of the roles: ${names.join(', ')}`,
    })
  }
  return roles.map((role) => {
    const explicit = settings[role.name]?.strategy
    const strategy: Strategy = explicit ?? 'blue-green'
    if (strategy === 'blue-green') checkShareable(role, volumes, explicit !== undefined, c)
    return { ...role, strategy }
  })
}

/**
 * Blue-green runs the old and the new container at once, so each mount must be usable by two
 * containers. Docker's `Z` option gives a bind mount a private SELinux label: the second container
 * relabels it and the first (the one still serving) loses access. Refused, not silently turned
 * into recreate: the user chooses between downtime (recreate) and the shared label (`z`).
 */
function checkShareable(role: RoleConfig, volumes: readonly string[], explicit: boolean, c: Collector): void {
  const fix = `strategy: recreate for this role (x-cutover: {roles: {${role.name}: {strategy: recreate}}}), or the shared SELinux label \`z\` instead of \`Z\``
  const why = `its private SELinux label (\`Z\`) lets only one container use it, and ${explicit ? 'the' : 'the default'} blue-green strategy of role ${role.name} runs the old and the new container together`
  volumes.forEach((v, i) => {
    if (privateLabel(v)) c.problems.push({ keyPath: `volumes/${i}`, message: `mounts ${JSON.stringify(mountTarget(v))} read-write, but ${why}`, expected: fix })
  })
  for (const key of ['volume', 'v'] as const) {
    const value = role.options[key]
    const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : []
    list.forEach((v, i) => {
      if (privateLabel(v)) {
        c.problems.push({ keyPath: `servers/${role.name}/options/${key}${Array.isArray(value) ? `/${i}` : ''}`, message: `mounts ${JSON.stringify(mountTarget(v))} read-write, but ${why}`, expected: fix })
      }
    })
  }
}

/** `src:dst:opts` with `Z` among the comma-separated options, not read-only. */
export function privateLabel(volume: string): boolean {
  const parts = volume.split(':')
  if (parts.length < 3) return false
  const opts = (parts[parts.length - 1] ?? '').split(',')
  return opts.includes('Z') && !opts.includes('ro')
}

const mountTarget = (volume: string): string => volume.split(':')[1] ?? volume

/**
 * Kamal's `boot.limit` resolved against every host the config lists (Kamal counts all hosts, so
 * `--hosts` does not change the group size): a percentage rounds down, with at least one host.
 */
export function resolveBoot(boot: BootInput | undefined, hostCount: number): BootConfig {
  const limit = boot?.limit
  const size = limit === undefined ? null : 'count' in limit ? limit.count : Math.max(1, Math.floor((hostCount * limit.percent) / 100))
  return { limit: size, wait: boot?.wait ?? 0 }
}
