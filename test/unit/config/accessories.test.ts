import { describe, expect, it } from 'vitest'
import { cfg, ENV, errorsOf, loadFrom, okOf } from './helpers.js'

const D = 'config/deploy.yml'
const SERVERS = `servers:
  web:
    hosts: [10.0.0.1, {10.0.0.2: [db]}]
  jobs:
    hosts: [10.0.0.3]`

const load = (yaml: string, env: Record<string, string> = {}, needs?: 'all' | 'accessory') => loadFrom({ [D]: cfg(`${SERVERS}\n${yaml}`) }, { env: { ...ENV, ...env }, ...(needs ? { needs } : {}) })
const keyPaths = (yaml: string) => errorsOf(load(yaml)).map((e) => `${e.keyPath}: ${e.message}`)

describe('accessories: Kamal’s meaning, hosts resolved', () => {
  it('every key read as Kamal reads it; placement by host, hosts, role, roles, tag, tags', () => {
    const r = okOf(
      load(`accessories:
  db:
    image: mysql:8.0
    host: 10.0.0.9
    port: 3306
    cmd: mysqld --max-connections=50
    env:
      clear: {MYSQL_DATABASE: app}
      secret: [MYSQL_ROOT_PASSWORD]
    volumes: [/var/backups:/backups]
    directories: [data:/var/lib/mysql, /srv/logs:/var/log/mysql]
    files: [config/my.cnf:/etc/mysql/my.cnf, config/init.sql.erb:/docker-entrypoint-initdb.d/init.sql]
    options: {memory: 1g, cap-add: [NET_ADMIN]}
    labels: {team: data}
  cache: {image: redis:7, service: shared-cache, hosts: [10.0.0.1, 10.0.0.9], network: backend, port: "127.0.0.1:6379:6379"}
  web-side: {image: busybox, role: web}
  many: {image: busybox, roles: [web, jobs]}
  tagged: {image: busybox, tag: db}
`, { MYSQL_ROOT_PASSWORD: 'pw' }, 'accessory'),
    )
    const by = Object.fromEntries((r.config.accessories ?? []).map((a) => [a.name, a]))
    expect(by.db).toEqual({
      name: 'db',
      serviceName: 'my-app-db',
      image: 'mysql:8.0',
      hosts: [{ host: '10.0.0.9', hostname: '10.0.0.9', tags: [] }],
      publish: '3306:3306',
      cmd: 'mysqld --max-connections=50',
      env: { clear: { MYSQL_DATABASE: 'app' }, secret: [{ name: 'MYSQL_ROOT_PASSWORD', secret: 'MYSQL_ROOT_PASSWORD' }] },
      volumes: ['/var/backups:/backups'],
      directories: [{ host: 'data', container: '/var/lib/mysql' }, { host: '/srv/logs', container: '/var/log/mysql' }],
      files: [{ local: 'config/my.cnf', container: '/etc/mysql/my.cnf' }, { local: 'config/init.sql.erb', container: '/docker-entrypoint-initdb.d/init.sql' }],
      options: { memory: '1g', 'cap-add': ['NET_ADMIN'] },
      labels: { team: 'data' },
      network: 'kamal',
    })
    expect([by.cache!.serviceName, by.cache!.network, by.cache!.publish, by.cache!.hosts.map((h) => h.host)]).toEqual(['shared-cache', 'backend', '127.0.0.1:6379:6379', ['10.0.0.1', '10.0.0.9']])
    expect(by['web-side']!.hosts.map((h) => h.host)).toEqual(['10.0.0.1', '10.0.0.2'])
    expect(by.many!.hosts.map((h) => h.host)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3'])
    expect(by.tagged!.hosts.map((h) => h.host)).toEqual(['10.0.0.2'])
    expect(r.secrets.get('MYSQL_ROOT_PASSWORD')).toBe('pw')
  })

  it('a deploy (needs: all) does not need accessory secrets; `cutover accessory` does, naming the key path', () => {
    const yaml = 'accessories:\n  db: {image: mysql:8, host: 10.0.0.9, env: {secret: [MYSQL_ROOT_PASSWORD]}}\n'
    expect(load(yaml).ok).toBe(true)
    const errors = errorsOf(load(yaml, {}, 'accessory'))
    expect(errors.map((e) => e.keyPath)).toEqual(['accessories/db/env/secret/0'])
    expect(errors[0]!.message).toContain('MYSQL_ROOT_PASSWORD')
  })

  it.each([
    ['no placement', '  db: {image: mysql:8}', 'accessories/db: says nowhere to run'],
    ['two placements', '  db: {image: mysql:8, host: 10.0.0.9, role: web}', 'accessories/db: gives host and role; Kamal takes only one'],
    ['unknown role', '  db: {image: mysql:8, role: wbe}', 'accessories/db/role: names the role "wbe", which servers does not list'],
    ['unknown tag in tags', '  db: {image: mysql:8, tags: [db, nope]}', 'accessories/db/tags/1: names the tag "nope", which no host under servers has'],
    ['missing image', '  db: {host: 10.0.0.9}', 'accessories/db/image: is missing'],
    ['bad name', '  "my db": {image: mysql:8, host: 10.0.0.9}', 'accessories/my db: accessory name "my db" cannot be used in container names'],
    ['file without container path', '  db: {image: mysql:8, host: 10.0.0.9, files: [config/my.cnf]}', 'accessories/db/files/0: "config/my.cnf" is not FROM:TO'],
    ['relative container path', '  db: {image: mysql:8, host: 10.0.0.9, directories: ["data:var/lib/mysql"]}', 'accessories/db/directories/0: "var/lib/mysql" is not an absolute path in the container'],
    ['file climbing out', '  db: {image: mysql:8, host: 10.0.0.9, files: ["../secret:/etc/x"]}', 'accessories/db/files/0: "../secret" climbs out with ..'],
    ['bad port', '  db: {image: mysql:8, host: 10.0.0.9, port: "33a06"}', 'accessories/db/port: "33a06" is not a port or publish value'],
    ['reserved label', '  db: {image: mysql:8, host: 10.0.0.9, labels: {service: x}}', 'accessories/db/labels/service: is a reserved label'],
    ['unknown key', '  db: {image: mysql:8, host: 10.0.0.9, imgae: x}', 'accessories/db/imgae: is not a known key (did you mean `image`?)'],
  ])('%s: an error with the key path', (_what, body, want) => {
    expect(keyPaths(`accessories:\n${body}\n`)).toEqual([want])
  })

  it('errors name the file and line', () => {
    const [e] = errorsOf(load('accessories:\n  db:\n    image: mysql:8\n    role: wbe\n'))
    // The role: line (the base config takes 12 lines, then accessories:, db:, image:).
    expect([e!.file, e!.line]).toEqual([D, 16])
  })

  it('proxy and registry under an accessory: accepted with a warning each (not acted on)', () => {
    const r = okOf(load('accessories:\n  db: {image: mysql:8, host: 10.0.0.9, proxy: {host: db.test}, registry: {server: r.test}}\n'))
    expect(r.warnings.map((w) => w.keyPath)).toEqual(['accessories/db/proxy', 'accessories/db/registry'])
  })
})

describe('x-cutover.bootstrap.install_url', () => {
  it('defaults to Docker’s get.docker.com; a mirror can be set', () => {
    expect(okOf(load('')).config.bootstrap).toEqual({ installUrl: 'https://get.docker.com' })
    expect(okOf(load('x-cutover: {bootstrap: {install_url: "http://10.0.0.5:8080/install.sh"}}\n')).config.bootstrap).toEqual({ installUrl: 'http://10.0.0.5:8080/install.sh' })
  })

  it.each([['ftp://mirror/x.sh'], ['get.docker.com'], ['https://x/a b']])('%s is refused with the key path', (url) => {
    expect(keyPaths(`x-cutover: {bootstrap: {install_url: "${url}"}}\n`)).toEqual([`x-cutover/bootstrap/install_url: ${JSON.stringify(url)} is not an http(s) URL`])
  })
})
