import { describe, expect, it } from 'vitest'
import type { LoadOptions } from '../../../src/config/index.js'
import { cfg, errorsOf, loadFrom } from './helpers.js'

const D = 'config/deploy.yml'

interface Row {
  name: string
  files: Record<string, string>
  opts?: Partial<LoadOptions>
  /** Every error's key path, exactly, in output order. */
  keyPaths: string[]
  /** Checks on the first error. */
  file?: string
  line?: number
  message?: RegExp
  expected?: RegExp
}

const deploy = (text: string): Record<string, string> => ({ [D]: text })

// Grouped by error class; each row is one bad config and the exact key path its error names.
const classes: Record<string, Row[]> = {
  'wrong type': [
    { name: 'service as a list', files: deploy(cfg('service: [a, b]')), keyPaths: ['service'], message: /is not a string/ },
    { name: 'servers as a string', files: deploy(cfg('servers: web')), keyPaths: ['servers'], message: /is a string/, expected: /list of hosts/ },
    { name: 'env clear as a list', files: deploy(cfg('env:\n  clear: [A]')), keyPaths: ['env/clear'], message: /is a list/ },
    { name: 'require_destination as a quoted string', files: deploy(cfg('require_destination: "yes"')), keyPaths: ['require_destination'], message: /is not a boolean|is a string/ },
    { name: 'volumes as one string', files: deploy(cfg('volumes: /data:/data')), keyPaths: ['volumes'], expected: /list of volumes/ },
    { name: 'label value as a map', files: deploy(cfg('labels:\n  app:\n    x: 1')), keyPaths: ['labels/app'], message: /is a map/ },
    { name: 'ssh user as a number', files: deploy(cfg('ssh:\n  user: 5')), keyPaths: ['ssh/user'] },
    { name: 'builder args as a list', files: deploy(cfg('builder:\n  args: [A=1]')), keyPaths: ['builder/args'], message: /is a list/ },
  ],
  'missing required key': [
    { name: 'no service', files: deploy(cfg('', ['service'])), keyPaths: ['service'], message: /is missing/, line: undefined },
    { name: 'no servers', files: deploy(cfg('', ['servers'])), keyPaths: ['servers'], message: /is missing/ },
    { name: 'no registry', files: deploy(cfg('', ['registry'])), keyPaths: ['registry'], message: /is missing/ },
    { name: 'registry without password', files: deploy(cfg('registry:\n  server: ghcr.io\n  username: me')), keyPaths: ['registry/password'], line: 5, message: /is missing/ },
    { name: 'no image with a remote registry', files: deploy(cfg('', ['image'])), keyPaths: ['image'], message: /is missing/ },
    { name: 'fanout max_connections 0', files: deploy(cfg('x-cutover:\n  fanout:\n    max_connections: 0')), keyPaths: ['x-cutover/fanout/max_connections'], message: /is 0/, expected: /at least 1/ },
    { name: 'fanout max_connections as a string', files: deploy(cfg('x-cutover:\n  fanout:\n    max_connections: "8"')), keyPaths: ['x-cutover/fanout/max_connections'], expected: /whole number of connections/ },
    { name: 'preview without host', files: deploy(cfg('x-cutover:\n  preview:\n    inherit_secrets: false')), keyPaths: ['x-cutover/preview/host'], message: /is missing/ },
  ],
  'unknown key with a suggestion': [
    { name: 'root typo', files: deploy(cfg('deploy_timout: 10')), keyPaths: ['deploy_timout'], line: 10, message: /did you mean `deploy_timeout`/ },
    { name: 'dash instead of underscore', files: deploy(cfg('proxy:\n  app-port: 3000')), keyPaths: ['proxy/app-port'], message: /did you mean `app_port`/ },
    { name: 'host instead of hosts on a role', files: deploy(cfg('servers:\n  web:\n    host: [192.168.0.1]')), keyPaths: ['servers/web/host'], message: /did you mean `hosts`/ },
    { name: 'healthcheck typo', files: deploy(cfg('proxy:\n  healthcheck:\n    pth: /up')), keyPaths: ['proxy/healthcheck/pth'], message: /did you mean `path`/ },
    { name: 'env secrets plural', files: deploy(cfg('env:\n  clear: {A: b}\n  secrets: [X]')), keyPaths: ['env/secrets'], message: /did you mean `secret`/ },
    { name: 'registry sever', files: deploy(cfg('registry:\n  sever: ghcr.io\n  username: me\n  password: [P]')), keyPaths: ['registry/sever'], message: /did you mean `server`/ },
    { name: 'swapped letters in ssh port', files: deploy(cfg('ssh:\n  prot: 22')), keyPaths: ['ssh/prot'], message: /did you mean `port`/ },
    { name: 'Kamal 1 healthcheck at the root', files: deploy(cfg('healthcheck:\n  path: /up')), keyPaths: ['healthcheck'], message: /Kamal 1 key/, expected: /proxy\/healthcheck/ },
    { name: 'no close key: lists the known ones', files: deploy(cfg('zzzzzzzz: 1')), keyPaths: ['zzzzzzzz'], message: /^is not a known key$/, expected: /one of: service, image/ },
  ],
  'bad host': [
    { name: 'host with a space', files: deploy(cfg('servers:\n  - "bad host"')), keyPaths: ['servers/0'], message: /"bad host" contains white space/ },
    { name: 'a URL as host', files: deploy(cfg('servers:\n  web:\n    hosts:\n      - http://x.example.com')), keyPaths: ['servers/web/hosts/0'], message: /is a URL/ },
    { name: 'IPv4 out of range', files: deploy(cfg('servers:\n  web:\n    - 1.2.3.999')), keyPaths: ['servers/web/0'], message: /not a valid IPv4/ },
    { name: 'user@host', files: deploy(cfg('servers:\n  - deploy@192.168.0.1')), keyPaths: ['servers/0'], expected: /host name or IP/, message: /set ssh\/user instead/ },
    { name: 'tagged host with a bad name', files: deploy(cfg('servers:\n  web:\n    - "bad_host!": [canary]')), keyPaths: ['servers/web/0/bad_host!'] },
    { name: 'two hosts in one tagged entry', files: deploy(cfg('servers:\n  web:\n    - {a.example.com: x, b.example.com: y}')), keyPaths: ['servers/web/0'], message: /names 2 hosts/ },
    { name: 'proxy host with a port', files: deploy(cfg('proxy:\n  host: app.example.com:8080')), keyPaths: ['proxy/host'], message: /includes a port/ },
    { name: 'preview server host', files: deploy(cfg('x-cutover:\n  preview:\n    host: pr-{number}.example.com\n    hosts: ["x y"]')), keyPaths: ['x-cutover/preview/hosts/0'] },
  ],
  'bad port': [
    { name: 'app_port 0', files: deploy(cfg('proxy:\n  app_port: 0')), keyPaths: ['proxy/app_port'], message: /is 0/, expected: /1 to 65535/ },
    { name: 'ssh port not a number', files: deploy(cfg('ssh:\n  port: "22x"')), keyPaths: ['ssh/port'], message: /is "22x"/ },
    { name: 'host port out of range', files: deploy(cfg('servers:\n  - 10.0.0.1:70000')), keyPaths: ['servers/0'], message: /bad port "70000"/ },
  ],
  'bad duration': [
    { name: 'deploy_timeout with a unit', files: deploy(cfg('deploy_timeout: 30s')), keyPaths: ['deploy_timeout'], message: /is the string "30s"/, expected: /whole number of seconds/ },
    { name: 'negative healthcheck interval', files: deploy(cfg('proxy:\n  healthcheck:\n    interval: -1')), keyPaths: ['proxy/healthcheck/interval'], message: /is -1/ },
    { name: 'fractional role stop_timeout', files: deploy(cfg('servers:\n  web:\n    hosts: [192.168.0.1]\n    stop_timeout: 1.5')), keyPaths: ['servers/web/stop_timeout'] },
    { name: 'retain_containers 0', files: deploy(cfg('retain_containers: 0')), keyPaths: ['retain_containers'], message: /is 0/ },
  ],
  'empty role': [
    { name: 'non-primary role as an empty list', files: deploy(cfg('servers:\n  web: [192.168.0.1]\n  job: []')), keyPaths: ['servers/job'], message: /role job has no hosts/ },
    { name: 'role with empty hosts', files: deploy(cfg('servers:\n  web: [192.168.0.1]\n  job:\n    hosts: []\n    cmd: bin/jobs')), keyPaths: ['servers/job/hosts'] },
    { name: 'servers as an empty list', files: deploy(cfg('servers: []')), keyPaths: ['servers'], message: /role web has no hosts/ },
    { name: 'empty primary even with allow_empty_roles', files: deploy(cfg('allow_empty_roles: true\nservers:\n  web: []')), keyPaths: ['servers/web'], expected: /primary role/ },
  ],
  'conflicting host and hosts': [
    { name: 'at the root', files: deploy(cfg('proxy:\n  host: a.example.com\n  hosts: [b.example.com]')), keyPaths: ['proxy/hosts'], line: 12, expected: /either host or hosts/ },
    { name: 'on a role', files: deploy(cfg('servers:\n  web:\n    hosts: [192.168.0.1]\n    proxy:\n      host: a.example.com\n      hosts: [b.example.com]')), keyPaths: ['servers/web/proxy/hosts'] },
  ],
  'proxy where it cannot be': [
    { name: 'proxy: true at the root', files: deploy(cfg('proxy: true')), keyPaths: ['proxy'], message: /is the boolean true/, expected: /only for a role/ },
    { name: 'automatic TLS on a role with two hosts', files: deploy(cfg('servers:\n  - 192.168.0.1\n  - 192.168.0.2\nproxy:\n  ssl: true\n  host: app.example.com')), keyPaths: ['proxy/ssl'], message: /runs on 2 hosts/ },
    { name: 'TLS without a host', files: deploy(cfg('servers:\n  web:\n    hosts: [192.168.0.1]\n    proxy:\n      ssl: true')), keyPaths: ['servers/web/proxy/ssl'], message: /no proxy host/ },
    { name: 'two TLS roles on one host name', files: deploy(cfg('servers:\n  web: [192.168.0.1]\n  api:\n    hosts: [192.168.0.2]\n    proxy: true\nproxy:\n  ssl: true\n  host: app.example.com')), keyPaths: ['servers/web/proxy'] },
    { name: 'env tags on a role', files: deploy(cfg('servers:\n  web:\n    hosts: [192.168.0.1]\n    env:\n      tags:\n        canary: {A: b}')), keyPaths: ['servers/web/env/tags'], message: /only allowed in the top-level env/ },
  ],
  'missing secret': [
    { name: 'env secret, no secrets file, no env var', files: deploy(cfg('env:\n  secret: [DB_PASSWORD]')), keyPaths: ['env/secret/0'], line: 11, message: /DB_PASSWORD, which is not set: there is no secrets file \(\.kamal\/secrets-common, \.kamal\/secrets\)/ },
    { name: 'not in the secrets files', files: { ...deploy(cfg('env:\n  secret: [DB_PASSWORD]')), '.kamal/secrets': 'KAMAL_REGISTRY_PASSWORD=x\n' }, keyPaths: ['env/secret/0'], message: /which is not in \.kamal\/secrets$/ },
    { name: 'registry password from an unset env var', files: deploy(cfg()), opts: { env: {} }, keyPaths: ['registry/password/0'], line: 9 },
    { name: 'aliased secret missing', files: deploy(cfg('env:\n  secret: [DB_PASSWORD:MAIN_DB_PASSWORD]')), keyPaths: ['env/secret/0'], message: /MAIN_DB_PASSWORD/ },
    { name: 'empty env var (an unset GitHub secret)', files: deploy(cfg('env:\n  secret: [TOKEN]')), opts: { env: { KAMAL_REGISTRY_PASSWORD: 'x', TOKEN: '' } }, keyPaths: ['env/secret/0'], message: /is empty/ },
    { name: 'secret that reads an unset variable', files: { ...deploy(cfg('env:\n  secret: [TOKEN]')), '.kamal/secrets': 'KAMAL_REGISTRY_PASSWORD=x\nTOKEN=$CI_TOKEN\n' }, keyPaths: ['env/secret/0'], message: /\.kamal\/secrets:2 reads \$CI_TOKEN, which is not set/ },
    { name: 'destination secrets file is the one searched', files: { [D]: cfg('env:\n  secret: [DB]'), 'config/deploy.staging.yml': 'servers: [10.0.0.9]\n', '.kamal/secrets': 'DB=x\nKAMAL_REGISTRY_PASSWORD=y\n', '.kamal/secrets.staging': 'KAMAL_REGISTRY_PASSWORD=y\n' }, opts: { destination: 'staging' }, keyPaths: ['env/secret/0'], message: /not in \.kamal\/secrets\.staging$/ },
  ],
  'failing $(…) in a secrets file': [
    { name: 'command exits 3', files: { ...deploy(cfg()), '.kamal/secrets': '# comment\nKAMAL_REGISTRY_PASSWORD=$(echo leaked-output; exit 3)\n' }, keyPaths: ['KAMAL_REGISTRY_PASSWORD'], file: '.kamal/secrets', line: 2, message: /exited with status 3$/ },
    { name: 'command not found', files: { ...deploy(cfg()), '.kamal/secrets-common': 'KAMAL_REGISTRY_PASSWORD=$(no-such-command-cutover-test)\n' }, keyPaths: ['KAMAL_REGISTRY_PASSWORD'], file: '.kamal/secrets-common', line: 1, message: /status 127 \(command not found\)/ },
    { name: 'unterminated quote', files: { ...deploy(cfg()), '.kamal/secrets': 'A=1\nKAMAL_REGISTRY_PASSWORD="abc\n' }, keyPaths: ['KAMAL_REGISTRY_PASSWORD'], file: '.kamal/secrets', line: 2, message: /never closed/ },
    { name: 'not a NAME=value line', files: { ...deploy(cfg()), '.kamal/secrets': 'KAMAL_REGISTRY_PASSWORD=x\nthis is not dotenv\n' }, keyPaths: [''], file: '.kamal/secrets', line: 2 },
  ],
  ERB: [
    { name: 'ERB code cutover does not evaluate', files: deploy(cfg('image: <%= `hostname` %>')), keyPaths: ['image'], line: 9, message: /does not evaluate/, expected: /ENV\.fetch\("NAME"\)/ },
    { name: 'ERB control lines', files: deploy(`${cfg()}<% if true %>\nlabels: {a: b}\n<% end %>\n`), keyPaths: ['', ''], line: 10, message: /does not run/ },
    { name: 'ENV.fetch of an unset variable in the destination file', files: { [D]: cfg(), 'config/deploy.staging.yml': 'servers:\n  - <%= ENV.fetch("CUTOVER_TEST_UNSET_HOST") %>\n' }, opts: { destination: 'staging' }, keyPaths: ['servers/0'], file: 'config/deploy.staging.yml', line: 2, message: /CUTOVER_TEST_UNSET_HOST is not set/ },
  ],
  'bad destination file': [
    { name: 'missing destination file', files: deploy(cfg()), opts: { destination: 'staging' }, keyPaths: [''], file: 'config/deploy.staging.yml', message: /does not exist/, expected: /-d staging/ },
    { name: 'destination file is a list', files: { [D]: cfg(), 'config/deploy.staging.yml': '- a\n- b\n' }, opts: { destination: 'staging' }, keyPaths: [''], file: 'config/deploy.staging.yml', message: /not a map/ },
    { name: 'destination name with a slash', files: deploy(cfg()), opts: { destination: '../etc' }, keyPaths: [''], message: /not a usable name/ },
    { name: 'destination sets a bad value', files: { [D]: cfg(), 'config/deploy.staging.yml': 'proxy:\n  app_port: 99999\n' }, opts: { destination: 'staging' }, keyPaths: ['proxy/app_port'], file: 'config/deploy.staging.yml', line: 2 },
    { name: 'require_destination without -d', files: deploy(cfg('require_destination: true')), keyPaths: ['require_destination'], line: 10 },
  ],
  'YAML syntax': [
    { name: 'unclosed flow sequence', files: deploy('service: a\nservers: [1.1.1.1\nregistry: {}\n'), keyPaths: [''], line: 3, message: /is not valid YAML/ },
    { name: 'duplicate key', files: deploy(`${cfg()}service: other\n`), keyPaths: [''], line: 10, message: /given twice/ },
    { name: 'empty file', files: deploy(''), keyPaths: [''], message: /is empty/ },
    { name: 'top level is a list', files: deploy('- service\n'), keyPaths: [''], message: /not a map/ },
    { name: 'a __proto__ key', files: deploy(cfg('labels:\n  __proto__: {a: b}')), keyPaths: ['labels/__proto__'], line: 11, message: /cannot be used as a key/ },
    { name: 'a YAML set', files: deploy(cfg('labels: !!set {a, b}')), keyPaths: ['labels'], message: /YAML set/ },
  ],
  'other rules': [
    { name: 'primary_role not a role', files: deploy(cfg('primary_role: workers')), keyPaths: ['primary_role'], expected: /one of: web/ },
    { name: 'no web role and no primary_role', files: deploy(cfg('servers:\n  job: [192.168.0.1]')), keyPaths: ['servers'], message: /has no web role/ },
    { name: 'reserved label', files: deploy(cfg('labels:\n  service: x')), keyPaths: ['labels/service'], message: /reserved/ },
    { name: 'registry password list of two', files: deploy(cfg('registry:\n  username: me\n  password: [A, B]')), keyPaths: ['registry/password'], message: /lists 2 items/ },
    { name: 'unknown cache type', files: deploy(cfg('builder:\n  cache:\n    type: s3')), keyPaths: ['builder/cache/type'], message: /is "s3"/, expected: /gha, registry, local/ },
    { name: 'image with a tag', files: deploy(cfg('image: my-user/my-app:latest')), keyPaths: ['image'], message: /includes a tag/ },
    { name: 'host twice in a role', files: deploy(cfg('servers:\n  - 192.168.0.1\n  - 192.168.0.1')), keyPaths: ['servers/1'], message: /listed twice/ },
    { name: 'bad restart policy', files: deploy(cfg('servers:\n  web:\n    hosts: [192.168.0.1]\n    options:\n      restart: sometimes')), keyPaths: ['servers/web/options/restart'] },
    { name: 'preview host without {number}', files: deploy(cfg('x-cutover:\n  preview:\n    host: preview.example.com')), keyPaths: ['x-cutover/preview/host'], message: /does not contain \{number\}/ },
    { name: 'service name with a space', files: deploy(cfg('service: my app')), keyPaths: ['service'] },
    { name: 'malformed secret entry', files: deploy(cfg('env:\n  secret: ["A:B:C"]')), keyPaths: ['env/secret/0'] },
    { name: 'a name both clear and secret', files: deploy(cfg('env:\n  clear: {DB: x}\n  secret: [A, DB]')), keyPaths: ['env/secret/1'], message: /DB is also under clear/ },
    { name: 'env name with =', files: deploy(cfg('env:\n  "A=B": c')), keyPaths: ['env/A=B'] },
    { name: 'unknown log level', files: deploy(cfg('ssh:\n  log_level: loud')), keyPaths: ['ssh/log_level'] },
    { name: 'bad role name', files: deploy(cfg('servers:\n  web: [192.168.0.1]\n  "job one": [192.168.0.2]')), keyPaths: ['servers/job one'] },
  ],
}

describe('bad configs: every error names its key path', () => {
  for (const [cls, rows] of Object.entries(classes)) {
    describe(cls, () => {
      it.each(rows.map((r) => [r.name, r] as const))('%s', (_, row) => {
        const errors = errorsOf(loadFrom(row.files, row.opts))
        expect(errors.map((e) => e.keyPath)).toEqual(row.keyPaths)
        const first = errors[0]!
        expect(first.file).toBe(row.file ?? D)
        if ('line' in row) expect(first.line).toBe(row.line)
        if (row.message) expect(first.message).toMatch(row.message)
        if (row.expected) expect(first.expected).toMatch(row.expected)
        expect(first.expected.length).toBeGreaterThan(0)
      })
    })
  }

  it('covers at least 30 bad configs across at least 12 classes', () => {
    expect(Object.values(classes).flat().length).toBeGreaterThanOrEqual(30)
    expect(Object.keys(classes).length).toBeGreaterThanOrEqual(12)
  })
})
