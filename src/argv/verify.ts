import * as docker from './docker.js'
import type { ProxyRoute } from './proxy.js'
import { shellJoin, type Argv } from './shell-join.js'

/**
 * The probe the verify window repeats (one SSH round trip each): the new container's state, and
 * one request to the route's health path THROUGH kamal-proxy on the host (what users hit), not
 * to the container directly. Data only; engine/verify.ts runs it and plan/verify-judge.ts reads it.
 *
 * Output, two lines:
 *   {"status":"running","exit":0,"restarts":0,"started":"…","health":null,"oom":false}
 *   @@probe 200        (the HTTP status; 000 = no answer; `none` = no curl on the host, or no route)
 */
export const VERIFY_FORMAT =
  '{"status":{{json .State.Status}},"exit":{{json .State.ExitCode}},"restarts":{{json .RestartCount}},"started":{{json .State.StartedAt}},' +
  '"health":{{with index .State "Health"}}{{json (index . "Status")}}{{else}}null{{end}},"oom":{{json .State.OOMKilled}}}'

export const PROBE_MARK = '@@probe'

/** Where the proxy-side check sends its request: the host's published kamal-proxy port. */
export interface ProxyProbe {
  route: Pick<ProxyRoute, 'hosts' | 'pathPrefixes' | 'tls' | 'healthCheck'>
  httpPort: number
  httpsPort: number
}

/** The curl argv for one request through kamal-proxy on 127.0.0.1 (the route's host name as Host / SNI). */
export function proxyProbeCurl(p: ProxyProbe): Argv {
  const path = `${(p.route.pathPrefixes[0] ?? '').replace(/\/+$/, '')}${p.route.healthCheck.path ?? '/up'}`
  const host = p.route.hosts[0] ?? 'localhost'
  const common = ['curl', '--silent', '--output', '/dev/null', '--write-out', '%{http_code}', '--max-time', '2']
  return p.route.tls
    ? [...common, '--insecure', '--resolve', `${host}:${p.httpsPort}:127.0.0.1`, `https://${host}:${p.httpsPort}${path}`]
    : [...common, '--header', `Host: ${host}`, `http://127.0.0.1:${p.httpPort}${path}`]
}

/** The whole probe as `sh -c`. A host without curl answers `none` (the state check still runs). */
export function verifyProbe(container: string, probe: ProxyProbe | null): Argv {
  const inspect = `${shellJoin(docker.inspectContainers(VERIFY_FORMAT, [container]))} 2>&1`
  const http = probe
    ? `if command -v curl >/dev/null 2>&1; then printf '${PROBE_MARK} %s\\n' "$(${shellJoin(proxyProbeCurl(probe))})"; else echo '${PROBE_MARK} none'; fi`
    : `echo '${PROBE_MARK} none'`
  return ['sh', '-c', `${inspect}\n${http}`]
}
