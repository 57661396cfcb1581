import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configlessData, loadConfigless } from '../../../src/config/configless/load.js'
import { CLI_FIELDS, checkConfigless, serviceFromHost, type ConfiglessInput } from '../../../src/config/configless/spec.js'

const base: ConfiglessInput = { image: 'registry.test:5443/team/app:v1', host: 'app.example.com', servers: ['203.0.113.10'], env: [], secrets: [], volumes: [] }
const check = (over: Partial<ConfiglessInput>, env: Record<string, string> = {}) => checkConfigless({ ...base, ...over }, CLI_FIELDS, env)
const errorsOf = (over: Partial<ConfiglessInput>, env: Record<string, string> = {}): string[] => {
  const r = check(over, env)
  return r.ok ? [] : r.errors
}

describe('checkConfigless: every input mistake names its flag and the fix', () => {
  it.each([
    ['no image', { image: undefined }, /^IMAGE is missing: give the image to deploy/],
    ['image pinned by digest (not supported yet, said so)', { image: `r.test/app@sha256:${'a'.repeat(64)}` }, /^IMAGE ".*" is pinned by digest, which config-less deploys do not take yet; give a tag/],
    ['uppercase repository', { image: 'r.test/Team/App:v1' }, /^IMAGE "r\.test\/Team\/App:v1" is not an image reference; expected registry\/repository:tag/],
    ['bad tag', { image: 'r.test/app:-x' }, /^IMAGE "r\.test\/app:-x" has a bad tag "-x"/],
    ['no --host', { host: undefined }, /^--host is missing: give the host name the app answers to, e\.g\. --host app\.example\.com/],
    ['--host with a port', { host: 'app.example.com:8080' }, /^--host "app\.example\.com:8080" includes a port/],
    ['--host as a URL', { host: 'https://app.example.com' }, /^--host "https:\/\/app\.example\.com" is a URL/],
    ['no --server', { servers: [] }, /^--server is missing: give the server\(s\) to deploy to over SSH/],
    ['--server with a bad port', { servers: ['10.0.0.1:99999'] }, /^--server "10\.0\.0\.1:99999" has a bad port "99999"; expected \[user@\]host\[:port\]/],
    ['--server with a bad user', { servers: ['a b@10.0.0.1'] }, /^--server "a b@10\.0\.0\.1": "a b" is not a user name/],
    ['--server twice', { servers: ['10.0.0.1', 'root@10.0.0.1'] }, /^--server "10\.0\.0\.1" is given twice/],
    ['--server with two users', { servers: ['deploy@10.0.0.1', '10.0.0.2'] }, /^--server: the servers name different SSH users \(deploy, root\)/],
    ['--service with a dot', { service: 'my.app' }, /^--service "my\.app" is not a service name/],
    ['--env without =', { env: ['GREETING'] }, /^--env "GREETING" is not NAME=VALUE; expected e\.g\. --env GREETING=hello/],
    ['--env with an empty name', { env: ['=x'] }, /^--env "=x" is not NAME=VALUE/],
    ['--env twice', { env: ['A=1', 'A=2'] }, /^--env A is given twice/],
    ['--secret with a value', { secrets: ['TOKEN=abc'] }, /^--secret "TOKEN=…" is not a variable name; give the NAME only/],
    ['--secret not in the environment', { secrets: ['TOKEN'] }, /^--secret TOKEN: the environment variable TOKEN is not set/],
    ['--secret also given as --env', { secrets: ['A'], env: ['A=1'] }, /^--secret A is also given with --env/],
    ['--volume without a path', { volumes: ['data'] }, /^--volume "data" is not SOURCE:\/path; expected NAME:\/path\/in\/container/],
    ['--volume to a relative path', { volumes: ['data:data'] }, /^--volume "data:data" mounts at "data", not an absolute path/],
    ['--volume with a bad mode', { volumes: ['data:/data:rx'] }, /^--volume "data:\/data:rx" has an unknown mode "rx"/],
    ['--app-port not a number', { appPort: '80a' }, /^--app-port "80a" is not a port; expected the port the app listens on/],
    ['--app-port 0', { appPort: '0' }, /^--app-port "0" is not a port/],
    ['--health-path without /', { healthPath: 'up' }, /^--health-path "up" is not a path; expected one starting with \//],
  ] as [string, Partial<ConfiglessInput>, RegExp][])('%s', (_, over, message) => {
    const errors = errorsOf(over)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
  })

  it('a secret value never appears in an error, only its name', () => {
    const errors = errorsOf({ secrets: ['TOKEN=sentinel-value-77'] })
    expect(errors.join('\n')).not.toContain('sentinel-value-77')
  })

  it('reports every mistake at once', () => {
    expect(errorsOf({ host: undefined, servers: [], env: ['x'] })).toHaveLength(3)
  })

  it('a good input: the parts Kamal keeps apart', () => {
    const r = check({ servers: ['deploy@203.0.113.10', 'deploy@[2001:db8::1]:2222'], env: ['GREETING=a=b'], secrets: ['TOKEN'], volumes: ['data:/data'], appPort: '3000', healthPath: '/healthz', registryUser: 'ci' }, { TOKEN: 't' })
    expect(r).toEqual({
      ok: true,
      spec: {
        service: 'app-example-com', registry: 'registry.test:5443', image: 'team/app', tag: 'v1', host: 'app.example.com',
        servers: ['203.0.113.10', '[2001:db8::1]:2222'], sshUser: 'deploy', env: { GREETING: 'a=b' }, secrets: ['TOKEN'], volumes: ['data:/data'],
        appPort: 3000, healthPath: '/healthz', ssl: false, registryUser: 'ci',
      },
    })
  })

  it.each([
    ['nginx', undefined, 'nginx', 'latest'],
    ['team/app:2.1', undefined, 'team/app', '2.1'],
    ['localhost:5000/app:v3', 'localhost:5000', 'app', 'v3'],
    ['ghcr.io/acme/web/api:sha-1', 'ghcr.io', 'acme/web/api', 'sha-1'],
  ])('image %s → registry %s, image %s, tag %s', (image, registry, path, tag) => {
    const r = check({ image })
    expect(r.ok && [r.spec.registry, r.spec.image, r.spec.tag]).toEqual([registry, path, tag])
  })

  it.each([
    ['app.example.com', 'app-example-com'],
    ['API.Example.COM', 'api-example-com'],
    ['*.preview.example.com', 'wildcard-preview-example-com'],
  ])('service from host %s → %s', (host, service) => expect(serviceFromHost(host)).toBe(service))
})

describe('loadConfigless: the config a Kamal user would write, through the same loader', () => {
  const spec = (over: Partial<ConfiglessInput> = {}, env: Record<string, string> = {}) => {
    const r = check(over, env)
    if (!r.ok) throw new Error(r.errors.join('\n'))
    return r.spec
  }

  it('one proxied web role on every server, env, secrets from the environment, volumes', () => {
    const s = spec({ servers: ['10.0.0.1', '10.0.0.2:2222'], env: ['GREETING=hi'], secrets: ['TOKEN'], volumes: ['data:/data'], appPort: '3000', healthPath: '/up', registryUser: 'ci' }, { TOKEN: 'tok-sentinel-1' })
    const r = loadConfigless(s, { cwd: '/nonexistent', env: { TOKEN: 'tok-sentinel-1', CUTOVER_REGISTRY_PASSWORD: 'pw-sentinel-2' }, registryPassword: 'CUTOVER_REGISTRY_PASSWORD' })
    if (!r.ok) throw new Error(JSON.stringify(r.errors))
    const { config, secrets } = r
    expect([config.service, config.repository, config.primaryRole]).toEqual(['app-example-com', 'registry.test:5443/team/app', 'web'])
    expect(config.roles.map((role) => [role.name, role.hosts.map((h) => h.host), role.proxy?.hosts, role.proxy?.appPort, role.proxy?.healthcheck.path])).toEqual([
      ['web', ['10.0.0.1', '10.0.0.2:2222'], ['app.example.com'], 3000, '/up'],
    ])
    expect(config.roles[0]?.env).toEqual({ clear: { GREETING: 'hi' }, secret: [{ name: 'TOKEN', secret: 'TOKEN' }] })
    expect(config.volumes).toEqual(['data:/data'])
    expect(config.registry).toEqual({ server: 'registry.test:5443', local: false, username: 'ci', password: { secret: 'CUTOVER_REGISTRY_PASSWORD' } })
    expect(secrets.get('TOKEN')).toBe('tok-sentinel-1')
    expect(secrets.redact('x pw-sentinel-2 tok-sentinel-1')).toBe('x [redacted] [redacted]')
    // Printable: no secret value anywhere in the config itself.
    expect(JSON.stringify(config)).not.toMatch(/sentinel/)
  })

  it('without --registry-user the registry is asked anonymously: no credentials reach the hosts', () => {
    const r = loadConfigless(spec(), { cwd: '/nonexistent', env: {} })
    expect(r.ok && r.config.registry).toEqual({ server: 'registry.test:5443', local: false })
  })

  it('reads neither config/deploy.yml nor .kamal/secrets: --secret comes from the environment', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cutover-configless-'))
    mkdirSync(join(cwd, 'config'))
    mkdirSync(join(cwd, '.kamal'))
    writeFileSync(join(cwd, 'config', 'deploy.yml'), 'service: other\nimage: other\nservers: [9.9.9.9]\n')
    writeFileSync(join(cwd, '.kamal', 'secrets'), 'TOKEN=from-the-file\n')
    const r = loadConfigless(spec({ secrets: ['TOKEN'] }, { TOKEN: 'from-env' }), { cwd, env: { TOKEN: 'from-env' } })
    expect(r.ok && [r.config.service, r.secrets.get('TOKEN')]).toEqual(['app-example-com', 'from-env'])
  })

  it('values from flags are data: no ERB, no YAML, taken literally', () => {
    const data = configlessData(spec({ env: ['X=<%= `id` %>', 'Y=*anchor', 'Z=yes'] }), undefined)
    expect((data.env as { clear: Record<string, string> }).clear).toEqual({ X: '<%= `id` %>', Y: '*anchor', Z: 'yes' })
    const r = loadConfigless(spec({ env: ['X=<%= `id` %>', 'Z=yes'] }), { cwd: '/nonexistent', env: {} })
    expect(r.ok && r.config.roles[0]?.env.clear).toEqual({ X: '<%= `id` %>', Z: 'yes' })
  })
})
