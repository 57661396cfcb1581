import type { HostState, ObservedContainer } from '../../../src/argv/observation.js'
import { targetAlias } from '../../../src/argv/names.js'
import type { Step } from '../../../src/plan/steps.js'

/**
 * A small model of one host (Docker + kamal-proxy) that applies plan steps to a HostState, for
 * convergence tests: run a plan, stop after any step, plan again. It checks what the real
 * systems would refuse: a duplicate name on run, a route to a target that does not run.
 */
export class SimHost {
  state: HostState
  private n = 0
  /** kamal-proxy keeps routes in its state volume while stopped. */
  private savedRoutes: HostState['routes'] = []
  /** Whether the network exists; `state.network` is only what observe can see (a running container on it). */
  private networkExists: boolean

  constructor(state: HostState) {
    this.state = structuredClone(state)
    if (state.routes) this.savedRoutes = structuredClone(state.routes)
    this.networkExists = state.network
  }

  apply(step: Step): void {
    const s = this.state
    const byRef = (ref: string): ObservedContainer => {
      const c = s.containers.find((x) => x.id === ref || x.name === ref)
      if (!c) throw new Error(`no such container: ${ref}`)
      return c
    }
    const args = 'exec' in step ? step.exec.argv : []
    switch (step.kind) {
      case 'ensureNetwork':
        // Idempotent, as the real command is: an existing network is fine.
        this.networkExists = true
        s.network = true
        return
      case 'runProxy':
        if (!this.networkExists) throw new Error('network kamal not found')
        if (s.proxy) throw new Error('container name kamal-proxy already in use')
        s.proxy = { state: 'running', image: args.at(-3) ?? '' }
        s.routes = this.savedRoutes
        return
      case 'startProxy':
        if (!s.proxy) throw new Error('no such container: kamal-proxy')
        s.proxy.state = 'running'
        s.routes = this.savedRoutes
        return
      case 'pull': {
        const at = step.image.lastIndexOf(':')
        const pulled = { id: `sha256:${'2'.repeat(64)}`, repository: step.image.slice(0, at), tag: step.image.slice(at + 1), digests: [] }
        s.images = [...(s.images ?? []).filter((i) => `${i.repository}:${i.tag}` !== step.image), pulled]
        return
      }
      case 'rename':
        if (s.containers.some((c) => c.name === step.to)) throw new Error(`name ${step.to} in use`)
        byRef(args[2] ?? '').name = step.to
        return
      case 'run': {
        if (!this.networkExists) throw new Error('network kamal not found')
        const name = args[args.indexOf('--name') + 1] ?? ''
        if (s.containers.some((c) => c.name === name)) throw new Error(`Conflict. The container name "/${name}" is already in use`)
        const labels = Object.fromEntries(args.flatMap((w, i) => (w === '--label' ? [(args[i + 1] ?? '').split(/=(.*)/s).slice(0, 2)] : [])))
        this.n += 1
        s.containers.push({
          id: this.n.toString(16).padStart(64, 'e'), name, state: 'running', created: `2030-01-01T00:00:${String(this.n).padStart(2, '0')}Z`,
          imageId: (s.images ?? []).find((i) => args.includes(`${i.repository}:${i.tag}`))?.id ?? '', health: null, service: labels.service ?? '', role: labels.role ?? '', destination: labels.destination ?? '',
          version: labels['cutover.version'] ?? null, digest: labels['cutover.digest'] ?? null,
        })
        return
      }
      case 'start':
        for (const ref of args.slice(2)) byRef(ref).state = 'running'
        return
      case 'proxyDeploy': {
        if (s.proxy?.state !== 'running') throw new Error('kamal-proxy is not running')
        const target = (args.find((w) => w.startsWith('--target=')) ?? '').slice('--target='.length)
        const host = target.split(':')[0]
        const c = s.containers.find((x) => x.state === 'running' && x.digest && targetAlias(x.digest) === host)
        if (!c) throw new Error(`target failed to become healthy: ${target}`)
        const route = { service: step.service, hosts: [], pathPrefixes: ['/'], targets: [target], state: 'running', tls: false }
        s.routes = [...(s.routes ?? []).filter((r) => r.service !== step.service), route]
        this.savedRoutes = s.routes
        return
      }
      case 'stop':
        for (const ref of args.filter((w) => /^[0-9a-f]{64}$/.test(w))) byRef(ref).state = 'exited'
        return
      case 'remove':
        for (const ref of args.slice(2)) {
          if (byRef(ref).state === 'running') throw new Error('cannot remove a running container')
          s.containers = s.containers.filter((c) => c.id !== ref)
        }
        return
      case 'removeImages':
        s.images = (s.images ?? []).filter((i) => !step.images.includes(`${i.repository}:${i.tag}`))
        return
      default:
        return // mkdir, writeFile, awaitHealthy, pruneImages, audit: no state the planner reads
    }
  }
}
