import * as docker from '../argv/docker.js'
import type { HostState, ObservedContainer } from '../argv/observation.js'
import { proxyServiceName, targetAlias } from '../argv/names.js'
import * as proxy from '../argv/proxy.js'
import { splitTarget } from '../argv/proxy-list.js'
import { verifyProbe } from '../argv/verify.js'
import type { DesiredRole } from './desired.js'
import { isActive, newestFirst, targetNames } from './scope.js'
import type { Exec, Step } from './steps.js'

const LOG_TAIL = 50
const SLACK_MS = 30_000

/**
 * The verify step that follows a switch (pure). `others`: this role's containers other than the
 * new one, as observed before the run; the one kamal-proxy routed to (else the newest active one)
 * is what a rollback switches back to. Switching back reuses the route's exact target string, so
 * a container Kamal deployed (routed by name) is found again the way it was.
 */
export function verifyStep(
  d: DesiredRole,
  seen: HostState,
  fresh: { name: string; ref: string; created: boolean },
  others: readonly ObservedContainer[],
): Extract<Step, { kind: 'verify' }> | null {
  const windowS = d.verifyWindowS ?? 0
  if (windowS <= 0) return null
  const port = d.proxy?.route.appPort ?? 0
  const route = seen.routes?.find((r) => r.service === proxyServiceName(d))
  const routedTarget = route?.targets.length === 1 ? route.targets[0] : undefined
  const candidates = others.filter((c) => c.state !== 'removing' && c.state !== 'dead')
  const routed = routedTarget ? candidates.find((c) => targetNames(routedTarget, c, port)) : undefined
  const previous = routed ?? [...candidates].filter(isActive).sort(newestFirst)[0] ?? null
  const ex = (argv: Exec['argv'], timeoutMs?: number): Exec => (timeoutMs ? { argv, timeoutMs } : { argv })

  let switchBack: Exec | null = null
  if (d.proxy && previous) {
    const host = routed && routedTarget ? splitTarget(routedTarget).host : previous.digest ? targetAlias(previous.digest) : previous.name
    const argv = proxy.deploy(proxyServiceName(d), host, d.proxy.route, { deployTimeoutS: d.deployTimeoutS, drainTimeoutS: d.drainTimeoutS })
    switchBack = ex(argv, (d.deployTimeoutS + d.drainTimeoutS) * 1000 + SLACK_MS)
  }
  const probe = d.proxy ? { route: d.proxy.route, httpPort: d.proxyBoot.httpPort, httpsPort: d.proxyBoot.httpsPort } : null
  return {
    kind: 'verify',
    container: fresh.name,
    windowS,
    fresh: fresh.created,
    exec: ex(verifyProbe(fresh.ref, probe), 15_000),
    rollback: {
      previous: previous ? { name: previous.name, version: previous.version, start: ex(docker.start(previous.id)) } : null,
      switchBack,
      logs: ex(docker.logs(fresh.ref, LOG_TAIL)),
      removeNew: fresh.created ? ex(docker.rm([fresh.ref], { force: true })) : ex(docker.stop([fresh.ref], d.stopTimeoutS)),
    },
  }
}
