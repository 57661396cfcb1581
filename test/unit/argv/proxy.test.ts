import { describe, expect, it } from 'vitest'
import * as proxy from '../../../src/argv/proxy.js'
import { DEFAULT_PROXY_BOOT, DEFAULT_ROUTE } from '../../../src/argv/proxy.js'

const timings = { deployTimeoutS: 30, drainTimeoutS: 30 }

describe('kamal-proxy argv', () => {
  it('boots the proxy the way Kamal does', () => {
    expect(proxy.run(DEFAULT_PROXY_BOOT, '/home/u/.kamal/proxy/apps-config')).toEqual([
      'docker', 'run', '--name', 'kamal-proxy', '--network', 'kamal', '--detach', '--restart', 'unless-stopped',
      '--volume', 'kamal-proxy-config:/home/kamal-proxy/.config/kamal-proxy',
      '--volume', '/home/u/.kamal/proxy/apps-config:/home/kamal-proxy/.apps-config',
      '--publish', '80:80', '--publish', '443:443',
      '--log-opt', 'max-size=10m',
      'basecamp/kamal-proxy:v0.9.2', 'kamal-proxy', 'run',
    ])
  })

  it.each([
    [{ bindIps: ['127.0.0.1', '::1'] }, ['--publish', '127.0.0.1:80:80', '--publish', '127.0.0.1:443:443', '--publish', '[::1]:80:80', '--publish', '[::1]:443:443']],
    [{ httpPort: 8080, httpsPort: 8443 }, ['--publish', '8080:80', '--publish', '8443:443']],
    [{ publish: false }, []],
  ])('publishes %j as %j', (over, publish) => {
    const argv = proxy.run({ ...DEFAULT_PROXY_BOOT, ...over }, '/d')
    expect(argv.filter((w, i) => w === '--publish' || argv[i - 1] === '--publish')).toEqual(publish)
  })

  it('deploy with defaults: Kamal\'s buffering and logged headers, our timeouts', () => {
    expect(proxy.deploy('app-web', 'cutover-abc', DEFAULT_ROUTE, timings)).toEqual([
      'docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'deploy', 'app-web',
      '--target=cutover-abc:80',
      '--deploy-timeout=30s', '--drain-timeout=30s',
      '--buffer-requests', '--buffer-responses',
      '--log-request-header=Cache-Control', '--log-request-header=Last-Modified', '--log-request-header=User-Agent',
    ])
  })

  it('deploy pins every route option', () => {
    const route = {
      appPort: 3000,
      hosts: ['a.test', 'b.test'],
      pathPrefixes: ['/api'],
      stripPathPrefix: false,
      tls: true,
      tlsCertificatePath: '/home/kamal-proxy/.apps-config/app/tls/web/cert.pem',
      tlsPrivateKeyPath: '/home/kamal-proxy/.apps-config/app/tls/web/key.pem',
      tlsRedirect: false,
      healthCheck: { path: '/health', intervalS: 2, timeoutS: 4 },
      targetTimeoutS: 60,
      bufferRequests: true,
      bufferResponses: false,
      bufferMemory: 2048,
      maxRequestBody: 1000,
      maxResponseBody: 5000,
      forwardHeaders: true,
      logRequestHeaders: ['X-Req'],
      logResponseHeaders: ['X-Res'],
      errorPages: '/home/kamal-proxy/.apps-config/app/error_pages/v1',
    }
    expect(proxy.deploy('app-web-staging', 'cutover-abc', route, { deployTimeoutS: 45, drainTimeoutS: 5 })).toEqual([
      'docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'deploy', 'app-web-staging',
      '--target=cutover-abc:3000',
      '--host=a.test', '--host=b.test',
      '--path-prefix=/api',
      '--strip-path-prefix=false',
      '--tls',
      '--tls-certificate-path=/home/kamal-proxy/.apps-config/app/tls/web/cert.pem',
      '--tls-private-key-path=/home/kamal-proxy/.apps-config/app/tls/web/key.pem',
      '--tls-redirect=false',
      '--deploy-timeout=45s', '--drain-timeout=5s',
      '--health-check-path=/health', '--health-check-interval=2s', '--health-check-timeout=4s',
      '--target-timeout=60s',
      '--buffer-requests', '--buffer-responses=false',
      '--buffer-memory=2048',
      '--max-request-body=1000',
      // max-response-body is dropped: kamal-proxy only takes it with response buffering on.
      '--forward-headers',
      '--log-request-header=X-Req',
      '--log-response-header=X-Res',
      '--error-pages=/home/kamal-proxy/.apps-config/app/error_pages/v1',
    ])
  })

  it.each([
    [proxy.remove('app-web'), ['docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'remove', 'app-web']],
    [proxy.list(), ['docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'list']],
    [proxy.start(), ['docker', 'container', 'start', 'kamal-proxy']],
  ])('%j', (argv, expected) => {
    expect(argv).toEqual(expected)
  })
})
