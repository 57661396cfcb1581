import type { DockerEvent } from './hosts.js'

/**
 * Reading `docker events` for one service. Other work may run on the same hosts at the same time,
 * so only events that concern this service count:
 * - any event of one of its containers (by id, or by the `service` label Docker copies into
 *   container events), exec into them included;
 * - image events (pull, tag, untag, delete) of its repository;
 * - network events about its containers;
 * - kamal-proxy's container: any lifecycle event (create, start, stop, restart, kill, die, …: a
 *   restarted proxy drops every service's traffic), and every exec whose command names this
 *   service (`kamal-proxy deploy <service>-web …`, `remove`, `pause`, …). Other services' execs
 *   are other work's; `kamal-proxy list` names no service and only reads.
 */

export interface Scope {
  service: string
  repository: string
  containerIds: ReadonlySet<string>
}

const PROXY = 'kamal-proxy'

/** The command of an exec event (`exec_create: kamal-proxy list` → `kamal-proxy list`), else null. */
export const execCommand = (e: DockerEvent): string | null => {
  const m = /^exec_(?:create|start): (.*)$/.exec(e.Action)
  return m ? (m[1] ?? '') : null
}

const isExec = (e: DockerEvent): boolean => e.Action.startsWith('exec_')

/** The events that concern this service, as defined above. */
export function concerning(events: readonly DockerEvent[], scope: Scope): DockerEvent[] {
  return events.filter((e) => {
    const attrs = e.Actor.Attributes ?? {}
    if (e.Type === 'container') {
      if (scope.containerIds.has(e.Actor.ID) || attrs.service === scope.service) return true
      if (attrs.name === PROXY) {
        if (!isExec(e)) return true
        const command = execCommand(e)
        return command !== null && command.includes(scope.service)
      }
      return false
    }
    if (e.Type === 'image') return e.Actor.ID.startsWith(`${scope.repository}:`) || e.Actor.ID.startsWith(`${scope.repository}@`) || (attrs.name ?? '').startsWith(scope.repository)
    if (e.Type === 'network') return scope.containerIds.has(attrs.container ?? '')
    return false
  })
}

/** kamal-proxy `list` execs (the observe's one read of the proxy). */
export const proxyReads = (events: readonly DockerEvent[]): DockerEvent[] =>
  events.filter((e) => e.Actor.Attributes?.name === PROXY && execCommand(e) === 'kamal-proxy list')

/** One line per event, for assertion messages. */
export const describeEvents = (events: readonly DockerEvent[]): string[] =>
  events.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes?.name ?? e.Actor.ID}`)
