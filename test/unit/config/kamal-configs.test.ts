import { describe, expect, it } from 'vitest'
import { previewHost, renderWarning, toPrintable } from '../../../src/config/index.js'
import { cfg, ENV, errorsOf, loadFrom, okOf, REGISTRY_PASSWORD } from './helpers.js'

// Configs shaped the way Kamal users write them, written from Kamal's documentation.
const D = 'config/deploy.yml'

describe('Kamal-shaped configs load', () => {
  it('the kamal init template shape, ERB examples in comments included', () => {
    const text = [
      '# The name of the app; containers are named after it.',
      'service: hey',
      '',
      '# Where the image lives.',
      'image: acme/hey',
      '',
      'servers:',
      '  web:',
      '    - 10.0.0.21',
      '  # job:',
      '  #   hosts:',
      '  #     - 10.0.0.21',
      '  #   cmd: bin/jobs',
      '',
      'proxy:',
      '  ssl: true',
      '  host: hey.example.com',
      '  # app_port: 3000',
      '',
      'registry:',
      '  username: acme',
      '  password:',
      '    - KAMAL_REGISTRY_PASSWORD',
      '',
      'builder:',
      '  arch: amd64',
      '  # args:',
      '  #   RUBY_VERSION: <%= ENV["RBENV_VERSION"] %>',
      '',
      '# env:',
      '#   secret:',
      '#     - RAILS_MASTER_KEY',
    ].join('\n')
    const r = okOf(loadFrom({ [D]: text }))
    expect(r.warnings).toEqual([])
    expect(r.config.service).toBe('hey')
    expect(r.config.repository).toBe('acme/hey')
    expect(r.config.roles.map((x) => [x.name, x.primary, x.hosts.map((h) => h.host)])).toEqual([['web', true, ['10.0.0.21']]])
    expect(r.config.roles[0]!.proxy).toMatchObject({ hosts: ['hey.example.com'], ssl: true, appPort: 80, forwardHeaders: false, sslRedirect: true })
    expect(r.config.builder.arch).toEqual(['amd64'])
    expect(r.config.registry.password).toEqual({ secret: 'KAMAL_REGISTRY_PASSWORD' })
    expect(r.secrets.get('KAMAL_REGISTRY_PASSWORD')).toBe(REGISTRY_PASSWORD)
  })

  it('applies Kamal’s documented defaults to a minimal config', () => {
    const { config } = okOf(loadFrom({ [D]: cfg() }))
    expect(config).toMatchObject({
      retainContainers: 5,
      deployTimeout: 30,
      drainTimeout: 30,
      readinessDelay: 7,
      primaryRole: 'web',
      requireDestination: false,
      secretsPath: '.kamal/secrets',
      volumes: [],
      ssh: { user: 'root', port: 22, keys: [], keyData: [], logLevel: 'fatal' },
      builder: { arch: [], dockerfile: 'Dockerfile', args: {}, secrets: [] },
    })
    const web = config.roles[0]!
    expect(web).toMatchObject({ name: 'web', primary: true, restartPolicy: 'unless-stopped', logging: { options: { 'max-size': '10m' } } })
    expect(web.stopTimeout).toBeUndefined()
    expect(web.proxy).toEqual({
      hosts: [],
      appPort: 80,
      ssl: false,
      sslRedirect: true,
      forwardHeaders: true,
      deployTimeout: 30,
      drainTimeout: 30,
      responseTimeout: 30,
      healthcheck: { path: '/up', interval: 1, timeout: 5 },
      buffering: { requests: true, responses: true },
      logging: { requestHeaders: ['Cache-Control', 'Last-Modified', 'User-Agent'], responseHeaders: [] },
    })
  })

  it('roles: root settings with each role’s over them, proxy only where Kamal runs it', () => {
    const text = cfg(`
servers:
  web:
    hosts: [10.0.0.1, 10.0.0.2]
    labels: {tier: front}
  job:
    hosts:
      - 10.0.0.3
    cmd: bin/jobs
    stop_timeout: 45
    options:
      memory: 2g
      cpus: 4
      restart: on-failure:3
      init: true
      add-host: [db:10.0.0.9, cache:10.0.0.8]
    logging:
      options: {max-file: "3"}
    env:
      clear:
        QUEUE: default
        DB_HOST: job-db
      secret: [JOB_TOKEN]
  api:
    hosts: [10.0.0.4]
    proxy:
      app_port: 4000
      host: api.example.com
      healthcheck: {path: /health}
env:
  clear:
    DB_HOST: db
    PORT: 3000
    DEBUG: false
  secret: [DB_PASSWORD:MAIN_DB_PASSWORD]
labels: {team: core}
logging:
  driver: json-file
  options: {max-size: 100m}
proxy:
  host: app.example.com
  app_port: 3000
  healthcheck: {interval: 3, timeout: 2}
volumes:
  - /data/storage:/rails/storage
`)
    const env = { KAMAL_REGISTRY_PASSWORD: 'r', MAIN_DB_PASSWORD: 'm', JOB_TOKEN: 'j' }
    const { config, warnings } = okOf(loadFrom({ [D]: text }, { env }))
    expect(warnings).toEqual([])
    expect(config.roles.map((r) => r.name)).toEqual(['api', 'job', 'web'])
    const [api, job, web] = config.roles as [typeof config.roles[0], typeof config.roles[0], typeof config.roles[0]]

    expect(web.proxy).toMatchObject({ hosts: ['app.example.com'], appPort: 3000, healthcheck: { path: '/up', interval: 3, timeout: 2 } })
    expect(api.proxy).toMatchObject({ hosts: ['api.example.com'], appPort: 4000, healthcheck: { path: '/health', interval: 3, timeout: 2 } })
    expect(job.proxy).toBeUndefined()

    expect(job.env).toEqual({
      clear: { DB_HOST: 'job-db', PORT: '3000', DEBUG: 'false', QUEUE: 'default' },
      secret: [{ name: 'DB_PASSWORD', secret: 'MAIN_DB_PASSWORD' }, { name: 'JOB_TOKEN', secret: 'JOB_TOKEN' }],
    })
    expect(web.env.secret).toEqual([{ name: 'DB_PASSWORD', secret: 'MAIN_DB_PASSWORD' }])
    expect(job.options).toEqual({ memory: '2g', cpus: '4', init: true, 'add-host': ['db:10.0.0.9', 'cache:10.0.0.8'] })
    expect(job.restartPolicy).toBe('on-failure:3')
    expect(job.cmd).toBe('bin/jobs')
    expect(job.stopTimeout).toBe(45)
    expect(api.stopTimeout).toBeUndefined()
    expect(web.labels).toEqual({ team: 'core', tier: 'front' })
    expect(job.logging).toEqual({ driver: 'json-file', options: { 'max-size': '100m', 'max-file': '3' } })
    expect(config.volumes).toEqual(['/data/storage:/rails/storage'])
  })

  it('a role without a proxy stops with drain_timeout, as Kamal does', () => {
    const { config } = okOf(loadFrom({ [D]: cfg('drain_timeout: 12\nservers:\n  web: [10.0.0.1]\n  job: [10.0.0.2]') }))
    expect(config.roles.find((r) => r.name === 'job')!.stopTimeout).toBe(12)
    expect(config.roles.find((r) => r.name === 'web')!.stopTimeout).toBeUndefined()
    expect(config.roles.find((r) => r.name === 'web')!.proxy).toMatchObject({ drainTimeout: 12, deployTimeout: 30 })
  })

  it('destinations: the DEST file deep-merges over the base, and secrets come from .kamal/secrets.DEST', () => {
    const files = {
      [D]: cfg('require_destination: true\nenv:\n  clear: {RAILS_ENV: production, LOG: info}\n  secret: [DB_PASSWORD]\nproxy:\n  host: app.example.com\n  app_port: 3000'),
      'config/deploy.staging.yml': 'servers:\n  web: [10.1.0.1]\nenv:\n  clear: {RAILS_ENV: staging}\nproxy:\n  host: staging.example.com\n',
      '.kamal/secrets-common': 'KAMAL_REGISTRY_PASSWORD=common-reg\nDB_PASSWORD=common-db\n',
      '.kamal/secrets.staging': 'DB_PASSWORD=staging-db\n',
      '.kamal/secrets': 'DB_PASSWORD=not-read-with-a-destination\n',
    }
    const r = okOf(loadFrom(files, { destination: 'staging' }))
    expect(r.config.destination).toBe('staging')
    expect(r.config.files).toEqual([D, 'config/deploy.staging.yml'])
    expect(r.config.roles[0]!.hosts.map((h) => h.host)).toEqual(['10.1.0.1'])
    expect(r.config.roles[0]!.env.clear).toEqual({ RAILS_ENV: 'staging', LOG: 'info' })
    expect(r.config.roles[0]!.proxy).toMatchObject({ hosts: ['staging.example.com'], appPort: 3000 })
    expect(r.secrets.get('DB_PASSWORD')).toBe('staging-db')
    expect(r.secrets.get('KAMAL_REGISTRY_PASSWORD')).toBe('common-reg')
    expect(r.secrets.values()).not.toContain('not-read-with-a-destination')
  })

  it('env tags and tagged hosts: read without a warning, tags kept on hosts, tag env resolved (secrets too)', () => {
    const text = cfg(`
servers:
  - 10.0.0.1
  - 10.0.0.2: experiments
  - 10.0.0.3: [experiments, replica]
env:
  clear: {MYSQL_USER: app}
  tags:
    experiments: {FEATURE_X: "1"}
    replica:
      clear: {MYSQL_USER: readonly}
      secret: [READONLY_PASSWORD]
`)
    const r = okOf(loadFrom({ [D]: text }, { env: { ...ENV, READONLY_PASSWORD: 'ro' } }))
    expect(r.warnings).toEqual([])
    expect(r.config.envTags).toEqual({
      experiments: { clear: { FEATURE_X: '1' }, secret: [] },
      replica: { clear: { MYSQL_USER: 'readonly' }, secret: [{ name: 'READONLY_PASSWORD', secret: 'READONLY_PASSWORD' }] },
    })
    expect(r.secrets.get('READONLY_PASSWORD')).toBe('ro')
    // A tag's secret is required like any other env secret.
    expect(errorsOf(loadFrom({ [D]: text })).map((e) => e.keyPath)).toEqual(['env/tags/replica/secret/0'])
    expect(r.config.roles[0]!.hosts.map((h) => [h.host, h.tags])).toEqual([
      ['10.0.0.1', []],
      ['10.0.0.2', ['experiments']],
      ['10.0.0.3', ['experiments', 'replica']],
    ])
  })

  it('aliases, boot/parallel_roles and friends: accepted with exactly one warning each (accessories, boot limit and wait, hooks_path are acted on)', () => {
    const text = cfg(`
accessories:
  db:
    image: mysql:8.0
    host: 10.0.0.5
    port: "127.0.0.1:3306:3306"
    env:
      secret: [MYSQL_ROOT_PASSWORD]
    directories: [data:/var/lib/mysql]
  redis:
    image: valkey/valkey:8
    host: 10.0.0.5
aliases:
  console: app exec -i --reuse "bin/rails console"
boot: {limit: 25%, wait: 2, parallel_roles: true}
asset_path: /rails/public/assets
hooks_path: .kamal/hooks
minimum_version: 2.0.0
servers:
  web:
    hosts: [10.0.0.1]
    asset_path: /app/public
proxy:
  path_prefix: /api
ssh:
  forward_agent: true
builder:
  remote: ssh://docker@builder
`)
    const r = okOf(loadFrom({ [D]: text }))
    expect(r.warnings.map((w) => w.keyPath).sort()).toEqual(
      ['aliases', 'asset_path', 'boot/parallel_roles', 'builder/remote', 'minimum_version', 'proxy/path_prefix', 'servers/web/asset_path', 'ssh/forward_agent'].sort(),
    )
    expect(r.warnings.every((w) => w.line !== undefined && w.file === D)).toBe(true)
    // Accessories are read (for `cutover accessory`), and a deploy does not need their secrets.
    expect(r.config.accessories?.map((a) => [a.serviceName, a.hosts.map((h) => h.host), a.publish])).toEqual([
      ['my-app-db', ['10.0.0.5'], '127.0.0.1:3306:3306'],
      ['my-app-redis', ['10.0.0.5'], undefined],
    ])
    // 25% of the one host rounds down to 0: at least one host per group, as Kamal does.
    expect(r.config.boot).toEqual({ limit: 1, wait: 2 })
  })

  it('YAML anchors in x-* keys and << merge keys, YAML 1.1 numbers', () => {
    const text = cfg(`
x-role: &role
  cmd: bin/work
  options: {memory: 1g}
servers:
  web: [10.0.0.1]
  worker:
    <<: *role
    hosts: [10.0.0.2]
proxy:
  buffering:
    max_request_body: 40_000_000
`)
    const { config } = okOf(loadFrom({ [D]: text }))
    const worker = config.roles.find((r) => r.name === 'worker')!
    expect(worker).toMatchObject({ cmd: 'bin/work', options: { memory: '1g' }, hosts: [{ host: '10.0.0.2' }] })
    expect(config.proxy.buffering.maxRequestBody).toBe(40_000_000)
  })

  it('reports a bad value merged from an anchor at the anchor’s line', () => {
    const text = cfg('x-role: &role\n  stop_timeout: soon\nservers:\n  web:\n    <<: *role\n    hosts: [10.0.0.1]')
    const r = loadFrom({ [D]: text })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors.map((e) => [e.keyPath, e.line])).toEqual([['servers/web/stop_timeout', 9]])
  })

  it('hostile env values come through byte for byte', () => {
    const hostile = { QUOTES: `it's "quoted"`, SUBST: '$(touch /tmp/x) `id` ${HOME}', NEWLINE: 'a\nb', SPACES: '  lead and trail  ', UNICODE: 'ünï😀' }
    const { config } = okOf(loadFrom({ [D]: cfg(`env:\n  clear: ${JSON.stringify(hostile)}`) }))
    expect(config.roles[0]!.env.clear).toEqual(hostile)
  })

  it('empty proxy: keys read as unset, as in Kamal', () => {
    const { config } = okOf(loadFrom({ [D]: cfg('proxy:\nservers:\n  web: [10.0.0.1]\n  job:\n    hosts: [10.0.0.2]\n    proxy:') }))
    expect(config.roles.map((r) => [r.name, r.proxy?.appPort])).toEqual([['job', undefined], ['web', 80]])
  })

  it('host forms: names, IPv4, IPv6, and host:port', () => {
    const { config } = okOf(loadFrom({ [D]: cfg('servers:\n  - app1.internal\n  - 10.0.0.1:2222\n  - "2001:db8::1"\n  - "[2001:db8::2]:2200"') }))
    expect(config.roles[0]!.hosts).toEqual([
      { host: 'app1.internal', hostname: 'app1.internal', tags: [] },
      { host: '10.0.0.1:2222', hostname: '10.0.0.1', port: 2222, tags: [] },
      { host: '2001:db8::1', hostname: '2001:db8::1', tags: [] },
      { host: '[2001:db8::2]:2200', hostname: '2001:db8::2', port: 2200, tags: [] },
    ])
  })

  it('a literal registry password is held as a secret, never in the printable config', () => {
    const r = okOf(loadFrom({ [D]: cfg('registry:\n  server: registry.example.com:5000\n  username: ci\n  password: literal-Pa55word') }))
    expect(r.config.registry).toEqual({ server: 'registry.example.com:5000', local: false, username: 'ci', password: { secret: 'registry/password' } })
    expect(r.secrets.resolve(r.config.registry.password!)).toBe('literal-Pa55word')
    expect(JSON.stringify(toPrintable(r.config))).not.toContain('literal-Pa55word')
    expect(r.config.repository).toBe('registry.example.com:5000/my-user/my-app')
  })

  it('a localhost registry needs no credentials, defaults the image to the service, and warns', () => {
    const r = okOf(loadFrom({ [D]: cfg('registry:\n  server: localhost:5555', ['image']) }))
    expect(r.config.image).toBe('my-app')
    expect(r.config.repository).toBe('localhost:5555/my-app')
    expect(r.warnings.map((w) => w.keyPath)).toEqual(['registry/server'])
  })

  it('ssh: user, port, keys, key_data from secrets (inline keys deprecated), jump host', () => {
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\\nAAAAinline\\n-----END OPENSSH PRIVATE KEY-----'
    const text = cfg(`ssh:\n  user: deploy\n  port: "2222"\n  keys: [~/.ssh/id_ed25519]\n  key_data: [SSH_PRIVATE_KEY, "${pem}"]\n  proxy: jump.example.com\n  log_level: debug`)
    const r = okOf(loadFrom({ [D]: text }, { env: { KAMAL_REGISTRY_PASSWORD: 'x', SSH_PRIVATE_KEY: 'key-from-env' } }))
    expect(r.config.ssh).toEqual({
      user: 'deploy',
      port: 2222,
      keys: ['~/.ssh/id_ed25519'],
      keyData: [{ secret: 'SSH_PRIVATE_KEY' }, { secret: 'ssh/key_data/1' }],
      proxy: { user: 'root', host: 'jump.example.com', port: 22 },
      keysOnly: false,
      config: true,
      logLevel: 'debug',
    })
    expect(r.secrets.get('SSH_PRIVATE_KEY')).toBe('key-from-env')
    expect(r.secrets.get('ssh/key_data/1')).toContain('AAAAinline')
    expect(r.warnings.map((w) => w.keyPath)).toEqual(['ssh/key_data/1'])
  })

  it.each([
    ['', { keysOnly: false, config: true }],
    ['\n  config: false', { keysOnly: false, config: false }],
    ['\n  config: ~/.ssh/deploy_config', { keysOnly: false, config: ['~/.ssh/deploy_config'] }],
    ['\n  config: [a/ssh_config, /etc/ssh/other]', { keysOnly: false, config: ['a/ssh_config', '/etc/ssh/other'] }],
    ['\n  keys_only: true', { keysOnly: true, config: true }],
    ['\n  proxy_command: ssh -W %h:%p bastion', { keysOnly: false, config: true, proxyCommand: 'ssh -W %h:%p bastion' }],
  ])('ssh: keys_only, config and proxy_command with Kamal\'s defaults (%s)', (extra, expected) => {
    const r = okOf(loadFrom({ [D]: cfg(`ssh:\n  user: deploy${extra}`) }, { env: { KAMAL_REGISTRY_PASSWORD: 'x' } }))
    expect(r.config.ssh).toEqual({ user: 'deploy', port: 22, keys: [], keyData: [], logLevel: 'fatal', ...expected })
    expect(r.warnings).toEqual([])
  })

  it.each([
    ['config: 3', 'ssh/config'],
    ['keys_only: maybe', 'ssh/keys_only'],
    ['proxy_command: ""', 'ssh/proxy_command'],
  ])('ssh: a bad %s is an error at %s', (line, keyPath) => {
    const r = loadFrom({ [D]: cfg(`ssh:\n  ${line}`) }, { env: { KAMAL_REGISTRY_PASSWORD: 'x' } })
    expect(r.ok).toBe(false)
    expect(JSON.stringify(r)).toContain(keyPath)
  })

  it('builder keys for the build issue', () => {
    const text = cfg('builder:\n  arch: [amd64, arm64]\n  context: .\n  dockerfile: Dockerfile.prod\n  target: app\n  args: {RUBY_VERSION: 3.3.1, N: 2}\n  secrets: [GITHUB_TOKEN]\n  cache:\n    type: registry\n    options: mode=max\n    image: my-app-cache')
    const r = okOf(loadFrom({ [D]: text }, { env: { KAMAL_REGISTRY_PASSWORD: 'x', GITHUB_TOKEN: 'gh' } }))
    expect(r.config.builder).toEqual({
      arch: ['amd64', 'arm64'],
      context: '.',
      dockerfile: 'Dockerfile.prod',
      target: 'app',
      args: { RUBY_VERSION: '3.3.1', N: '2' },
      secrets: ['GITHUB_TOKEN'],
      cache: { type: 'registry', options: 'mode=max', image: 'my-app-cache' },
    })
    expect(r.secrets.get('GITHUB_TOKEN')).toBe('gh')
  })
})

describe('preview (cutover addition)', () => {
  const base = cfg('servers:\n  web: [10.0.0.1, 10.0.0.2]\n  job: [10.0.0.3]\nenv:\n  clear: {RAILS_ENV: production}\n  secret: [DB_PASSWORD]')
  const env = { KAMAL_REGISTRY_PASSWORD: 'r', DB_PASSWORD: 'prod-db', PREVIEW_DB_PASSWORD: 'preview-db' }

  it('defaults to the primary role’s hosts and passes no production secrets', () => {
    const { config } = okOf(loadFrom({ [D]: `${base}x-cutover:\n  preview:\n    host: pr-{number}.preview.example.com\n    env:\n      clear: {RAILS_ENV: preview}\n      secret: [DB_PASSWORD:PREVIEW_DB_PASSWORD]\n` }, { env }))
    expect(config.preview).toEqual({
      hostTemplate: 'pr-{number}.preview.example.com',
      hosts: config.roles.find((r) => r.name === 'web')!.hosts,
      env: { clear: { RAILS_ENV: 'preview' }, secret: [{ name: 'DB_PASSWORD', secret: 'PREVIEW_DB_PASSWORD' }] },
      inheritSecrets: false,
    })
    expect(previewHost(config.preview!.hostTemplate, 42)).toBe('pr-42.preview.example.com')
  })

  it('inherits production secrets only when told to', () => {
    const { config } = okOf(loadFrom({ [D]: `${base}x-cutover:\n  preview:\n    host: pr-{number}.example.com\n    hosts: [10.0.0.9]\n    inherit_secrets: true\n` }, { env }))
    expect(config.preview!.env.secret).toEqual([{ name: 'DB_PASSWORD', secret: 'DB_PASSWORD' }])
    expect(config.preview!.hosts.map((h) => h.host)).toEqual(['10.0.0.9'])
  })

  it('the old top-level preview: is still read, with a warning giving file, line and where to move it', () => {
    const text = `${base}preview:\n  host: pr-{number}.example.com\n  env:\n    secret: [DB_PASSWORD:PREVIEW_DB_PASSWORD]\n`
    const r = okOf(loadFrom({ [D]: text }, { env }))
    expect(r.config.preview?.hostTemplate).toBe('pr-{number}.example.com')
    expect(r.config.preview?.env.secret).toEqual([{ name: 'DB_PASSWORD', secret: 'PREVIEW_DB_PASSWORD' }])
    const line = text.split('\n').indexOf('preview:') + 1
    const w = r.warnings.filter((x) => x.keyPath === 'preview')
    expect(w).toHaveLength(1)
    expect(w[0]).toMatchObject({ file: D, line })
    expect(renderWarning(w[0]!)).toMatch(new RegExp(`^${D}:${line}: preview: .*move the block under \`x-cutover:\``))
    // The new place gives no such warning.
    const moved = okOf(loadFrom({ [D]: `${base}x-cutover:\n  preview:\n    host: pr-{number}.example.com\n` }, { env }))
    expect(moved.warnings.filter((x) => x.keyPath.includes('preview'))).toEqual([])
  })

  it('preview in both places is an error at the old one', () => {
    const errors = errorsOf(loadFrom({ [D]: `${base}preview:\n  host: pr-{number}.a.example.com\nx-cutover:\n  preview:\n    host: pr-{number}.b.example.com\n` }, { env }))
    expect(errors.map((e) => [e.keyPath, e.message])).toEqual([['preview', 'is given both here and under x-cutover']])
  })

  it('an unknown key under x-cutover is an error suggesting the known one', () => {
    const errors = errorsOf(loadFrom({ [D]: `${base}x-cutover:\n  previews:\n    host: pr-{number}.example.com\n` }, { env }))
    expect(errors.map((e) => e.keyPath)).toEqual(['x-cutover/previews'])
    expect(errors[0]!.message).toMatch(/did you mean `preview`/)
  })
})
