import { describe, expect, it } from 'vitest'
import { HostClaimedError, holderMessage, hostHolders, managedBy } from '../../../src/plan/claims.js'
import { planHost } from '../../../src/plan/host.js'
import { aliasTarget, deployed, desired, host, IMAGE_V1, kamalContainer, routeTo } from './fixtures.js'

const web = desired()
/** Another cutover app, `blog`, serving app.test from its own container. */
const blog = desired({ service: 'blog', repository: 'registry.test:5000/blog' })
const blogContainer = deployed(blog, { ref: 'registry.test:5000/blog:v2', network: 'kamal' })
const route = (service: string, hosts: string[], target = 'x:80') => ({ service, hosts, pathPrefixes: ['/'], targets: [target], state: 'running', tls: false })

describe('hostHolders: who serves a host name this role wants', () => {
  it.each([
    ['nobody routes it', [], []],
    ['the role\'s own route (a redeploy, or a Kamal-deployed app taken over)', [routeTo(web, 'a:80')], []],
    ['another service on another host name', [route('blog-web', ['blog.test'])], []],
    ['another service on any host (*): kamal-proxy lets a named host win, so no clash', [route('blog-web', [])], []],
    ['another service on the same host name', [route('blog-web', ['app.test'])], [['blog-web', ['app.test']]]],
    ['another service on the same host name under another path prefix: kamal-proxy allows both', [{ ...route('blog-web', ['app.test']), pathPrefixes: ['/blog'] }], []],
    ['the same host name in other case, among others', [route('blog-web', ['x.test', 'APP.test'])], [['blog-web', ['APP.test']]]],
  ] as const)('%s', (_, routes, want) => {
    const holders = hostHolders(web, host({ routes: [...routes] as never, containers: [] }))
    expect(holders.map((h) => [h.proxyService, h.hosts])).toEqual(want)
  })

  it('a role without a proxy, or kamal-proxy not running (routes unknown), has no holder', () => {
    expect(hostHolders(desired({ proxy: null }), host({ routes: [route('blog-web', ['app.test'])], containers: [] }))).toEqual([])
    expect(hostHolders(web, host({ routes: null, containers: [] }))).toEqual([])
  })

  it('names the holder\'s serving container by its labels: the one the route targets', () => {
    const stale = deployed(desired({ service: 'blog', version: 'v1', imageId: IMAGE_V1 }), { ref: 'registry.test:5000/blog:v1' })
    const holders = hostHolders(web, host({ routes: [route('blog-web', ['app.test'], aliasTarget(blog))], containers: [stale, blogContainer] }))
    expect(holders[0]?.container).toEqual({ name: 'blog-web-v2', image: 'registry.test:5000/blog:v2', service: 'blog', role: 'web', destination: '', managedBy: 'cutover' })
  })

  it.each([
    ['cutover', { service: 'a', role: 'web', digest: 'd', network: 'kamal' }],
    ['Kamal', { service: 'a', role: 'web', digest: null, network: 'kamal' }],
    ['ONCE', { service: '', role: '', digest: null, network: 'once' }],
    ['unknown', { service: '', role: '', digest: null, network: 'bridge' }],
  ] as const)('managedBy %s', (want, c) => expect(managedBy(c)).toBe(want))
})

describe('holderMessage: who holds it and the fix', () => {
  it('a web role of another service: take it over with --service', () => {
    const msg = holderMessage(web, hostHolders(web, host({ routes: [route('blog-web', ['app.test'], aliasTarget(blog))], containers: [blogContainer] })))
    expect(msg).toBe(
      'app.test is already served by service blog (kamal-proxy service blog-web, container blog-web-v2, image registry.test:5000/blog:v2, cutover-managed), not by app-web; nothing was changed. ' +
        'Fix: to replace it with zero downtime, deploy as that service: --service blog (the Action\'s `service: blog`)',
    )
  })

  it('a Kamal app of another role, or a route without a labelled container: free the host, no --service', () => {
    const kamal = kamalContainer('v9', { service: 'shop', role: 'api', name: 'shop-api-v9', ref: 'shop:v9' })
    const msg = holderMessage(web, hostHolders(web, host({ routes: [route('shop-api', ['app.test']), route('manual', ['app.test'])], containers: [kamal] })))
    expect(msg).toContain('service shop (kamal-proxy service shop-api, container shop-api-v9, image shop:v9, Kamal-managed)')
    expect(msg).toContain('kamal-proxy remove shop-api')
    expect(msg).toContain('kamal-proxy service manual (no running container here carries its labels)')
    expect(msg).not.toContain('--service')
  })
})

describe('planHost refuses a host name another service holds', () => {
  it('throws HostClaimedError before planning any step', () => {
    expect(() => planHost([web], host({ routes: [route('blog-web', ['app.test'], aliasTarget(blog))], containers: [blogContainer] }))).toThrow(HostClaimedError)
  })
})
