import { describe, expect, it } from 'vitest'
import * as app from '../../../src/argv/app.js'
import type { RunSpec } from '../../../src/argv/docker.js'
import * as proxy from '../../../src/argv/proxy.js'
import { shellJoin } from '../../../src/argv/shell-join.js'

const spec: RunSpec = {
  name: 'shop-web-v1',
  image: 'reg.test/shop:v1',
  network: 'kamal',
  networkAliases: ['cutover-abc'],
  restart: 'unless-stopped',
  env: { KAMAL_VERSION: 'v1', MODE: 'prod' },
  envFile: '.kamal/apps/shop/env/roles/web.env',
  labels: { service: 'shop', role: 'web' },
  volumes: ['/data:/data'],
  logging: { driver: null, options: {} },
  options: { restart: 'always', cpus: 1 },
  cmd: ['bin/web'],
}

/** One row per command: the argv each `cutover app …` / `proxy …` sends, pinned flag by flag. */
const table: [string, readonly string[], readonly string[]][] = [
  ['app containers', app.containers({ service: 'shop', destination: null }), ['docker', 'ps', '--all', '--filter', 'label=service=shop']],
  ['app containers --roles web -d staging --json', app.containers({ service: 'shop', destination: 'staging', role: 'web' }, app.JSON_ROWS), [
    'docker', 'ps', '--all', '--filter', 'label=service=shop', '--filter', 'label=role=web', '--filter', 'label=destination=staging', '--format', '{{json .}}',
  ]],
  ['app details', app.details({ service: 'shop', role: 'web', destination: null }), ['docker', 'ps', '--filter', 'label=service=shop', '--filter', 'label=role=web']],
  ['app images (Docker Hub name made familiar)', app.images('docker.io/me/shop'), ['docker', 'image', 'ls', 'me/shop']],
  ['app images --json', app.images('reg.test/shop', app.JSON_ROWS), ['docker', 'image', 'ls', '--format', '{{json .}}', 'reg.test/shop']],
  ['app logs (Kamal default: 100 lines)', app.logs('c1', {}), ['sh', '-c', 'docker logs --tail 100 c1 2>&1']],
  ['app logs --since 5m (no default tail)', app.logs('c1', { since: '5m' }), ['sh', '-c', 'docker logs --since 5m c1 2>&1']],
  ['app logs -n 7 --grep', app.logs('c1', { lines: 7, grep: "it's $(x)" }), ['sh', '-c', 'docker logs --tail 7 c1 2>&1 | grep -e "$1"', 'cutover-logs', "it's $(x)"]],
  ['app logs --follow --grep', app.logs('c1', { follow: true, grep: 'GET' }), ['sh', '-c', 'docker logs --follow c1 2>&1 | grep --line-buffered -e "$1"', 'cutover-logs', 'GET']],
  ['app exec (new container)', app.execNew(spec, ['bin/rails', 'db:migrate']), [
    'docker', 'run', '--rm', '--network', 'kamal', '--env', 'KAMAL_VERSION=v1', '--env', 'MODE=prod', '--env-file', '.kamal/apps/shop/env/roles/web.env',
    '--volume', '/data:/data', '--cpus', '1', 'reg.test/shop:v1', 'bin/rails', 'db:migrate',
  ]],
  ['app exec --interactive', app.execNew({ ...spec, env: {}, volumes: [], options: {} }, ['sh'], { interactive: true }), [
    'docker', 'run', '--rm', '--interactive', '--tty', '--network', 'kamal', '--env-file', '.kamal/apps/shop/env/roles/web.env', 'reg.test/shop:v1', 'sh',
  ]],
  ['app exec --reuse', app.execReuse('abc123', ['env']), ['docker', 'exec', 'abc123', 'env']],
  ['app exec --reuse --interactive', app.execReuse('abc123', ['sh'], { interactive: true }), ['docker', 'exec', '--interactive', '--tty', 'abc123', 'sh']],
  ['app maintenance', proxy.stop('shop-web', { message: 'Back soon', drainTimeoutS: 5 }), ['docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'stop', 'shop-web', '--drain-timeout=5s', '--message=Back soon']],
  ['app maintenance (no message)', proxy.stop('shop-web'), ['docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'stop', 'shop-web']],
  ['app live', proxy.resume('shop-web'), ['docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'resume', 'shop-web']],
  ['proxy details', proxy.details(), ['docker', 'ps', '--filter', 'name=^kamal-proxy$']],
  ['proxy logs', app.logs(proxy.PROXY, { lines: 20 }), ['sh', '-c', 'docker logs --tail 20 kamal-proxy 2>&1']],
]

describe('app and proxy argv', () => {
  it.each(table)('%s', (_name, argv, expected) => {
    expect(argv).toEqual(expected)
  })

  it('a new exec container never carries a secret in argv: only the env file path, and no name, label, restart or alias', () => {
    const argv = app.execNew({ ...spec, env: { MODE: 'prod' } }, ['env'])
    expect(argv).toContain('--env-file')
    expect(argv.join(' ')).not.toMatch(/--name|--label|--restart|--network-alias|--detach/)
  })

  it('a hostile grep pattern reaches grep literally (it is a positional parameter, never part of the script)', () => {
    const argv = app.logs('c1', { grep: "'; rm -rf / #" })
    expect(argv[2]).not.toContain('rm -rf')
    expect(shellJoin(argv)).toContain(`'\\''; rm -rf / #'`)
  })
})
