import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/main.js'
import type { CliCommand } from '../../../src/cli/command.js'

// Runs the CLI from source through tsx, as a user would run the bundled bin (the lead wires dist/).
const ROOT = resolve(__dirname, '../../..')
const TSX = join(ROOT, 'node_modules/.bin/tsx')
const ENTRY = join(ROOT, 'src/cli/index.ts')

const SENTINELS = {
  registry: 'sentinel-REGISTRY-7c1e',
  db: 'sentinel-DB-p@ss w0rd',
  master: 'sentinel-MASTER-41aa',
  literal: 'sentinel-LITERAL-key',
  commandOutput: 'sentinel-CMD-OUTPUT',
}

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-cli-'))
  dirs.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

function cutover(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(TSX, [ENTRY, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const GOOD = `service: shop
image: acme/shop
servers:
  web: [10.0.0.1]
  job:
    hosts: [10.0.0.2]
    cmd: bin/jobs
proxy:
  host: shop.example.com
registry:
  server: ghcr.io
  username: acme
  password: [KAMAL_REGISTRY_PASSWORD]
env:
  clear: {RAILS_ENV: production}
  secret: [RAILS_MASTER_KEY, DB_PASSWORD]
ssh:
  key_data: ["-----BEGIN OPENSSH PRIVATE KEY-----\\n${SENTINELS.literal}\\n-----END OPENSSH PRIVATE KEY-----"]
accessories:
  db: {image: "mysql:8", host: 10.0.0.3}
`
const SECRETS = `KAMAL_REGISTRY_PASSWORD=$KAMAL_REGISTRY_PASSWORD
RAILS_MASTER_KEY=$(printf %s '${SENTINELS.master}')
DB_PASSWORD="${SENTINELS.db}"
`

const noSentinel = (text: string) => Object.values(SENTINELS).forEach((s) => expect(text).not.toContain(s))

describe('cutover config (through tsx)', () => {
  const good = project({ 'config/deploy.yml': GOOD, '.kamal/secrets': SECRETS })

  it('prints the resolved config and warnings, exit 0, no secret values anywhere', () => {
    const r = cutover(good, ['config'], { KAMAL_REGISTRY_PASSWORD: SENTINELS.registry })
    // accessories are acted on (cutover accessory), so no "not acted on" warning for them any more.
    expect(r.stderr).not.toMatch(/accessories: is a Kamal setting/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^service: shop$/m)
    expect(r.stdout).toContain('RAILS_MASTER_KEY: "[redacted] (secret RAILS_MASTER_KEY)"')
    noSentinel(r.stdout + r.stderr)
  })

  it('--json prints one object with the config and warnings', () => {
    const r = cutover(good, ['config', '--json'], { KAMAL_REGISTRY_PASSWORD: SENTINELS.registry })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { ok: boolean; config: { roles: { name: string }[] }; warnings: { keyPath: string }[] }
    expect(out.ok).toBe(true)
    expect(out.config.roles.map((x) => x.name)).toEqual(['job', 'web'])
    expect(out.warnings.map((w) => w.keyPath).sort()).toEqual(['ssh/key_data/0'])
    noSentinel(r.stdout + r.stderr)
  })

  it('-c and -d pick the files; config errors list every error and exit 2', () => {
    const dir = project({
      'deploy/app.yml': GOOD.replace('image: acme/shop', 'image: acme/shop\ndeploy_timout: 5'),
      'deploy/app.staging.yml': 'proxy:\n  app_port: 0\nservers:\n  web: ["bad host"]\n',
      '.kamal/secrets.staging': SECRETS,
    })
    const r = cutover(dir, ['config', '-c', 'deploy/app.yml', '-d', 'staging'], { KAMAL_REGISTRY_PASSWORD: SENTINELS.registry })
    expect(r.code).toBe(2)
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '))
    expect(errors).toEqual([
      'error: deploy/app.staging.yml:2: proxy/app_port: is 0; expected a port number from 1 to 65535',
      expect.stringMatching(/^error: deploy\/app\.staging\.yml:4: servers\/web\/0: "bad host" contains white space; expected a host name/),
      expect.stringMatching(/^error: deploy\/app\.yml:3: deploy_timout: is not a known key \(did you mean `deploy_timeout`\?\)/),
    ])
    expect(r.stderr).toMatch(/3 config errors/)
    expect(r.stdout).toBe('')
  })

  it('a failing $(…) is exit 2 naming file, line and status, never the command output', () => {
    const dir = project({ 'config/deploy.yml': GOOD, '.kamal/secrets': `${SECRETS}KAMAL_REGISTRY_PASSWORD=$(echo ${SENTINELS.commandOutput}; echo ${SENTINELS.commandOutput} >&2; exit 5)\n` })
    const r = cutover(dir, ['config', '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error: .kamal/secrets:4: KAMAL_REGISTRY_PASSWORD: $(…) exited with status 5')
    expect(JSON.parse(r.stdout).errors).toHaveLength(1)
    noSentinel(r.stdout + r.stderr)
  })

  it('a missing secret is exit 2 naming it and the files searched', () => {
    const dir = project({ 'config/deploy.yml': GOOD })
    const r = cutover(dir, ['config'], { KAMAL_REGISTRY_PASSWORD: SENTINELS.registry, RAILS_MASTER_KEY: SENTINELS.master })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('config/deploy.yml:16: env/secret/1: names the secret DB_PASSWORD, which is not set: there is no secrets file (.kamal/secrets-common, .kamal/secrets)')
    noSentinel(r.stdout + r.stderr)
  })

})

// The same entry point in-process: the usage paths need no separate process to be exercised.
describe('main() dispatch', () => {
  const good = project({ 'config/deploy.yml': GOOD, '.kamal/secrets': SECRETS })
  const io = (cwd = '/') => {
    const out = { stdout: '', stderr: '' }
    return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), env: {}, cwd } }
  }

  it.each([
    ['no command', [], 2, /Usage: cutover <command>/],
    ['--help', ['--help'], 0, /config\s+Check config\/deploy\.yml/],
    ['unknown command with a guess', ['confg'], 2, /unknown command "confg" \(did you mean config\?\)/],
    ['unknown flag', ['config', '--nope'], 2, /Unknown option '--nope'[\s\S]*Usage: cutover config/],
    ['missing flag value', ['config', '-c'], 2, /Usage: cutover config/],
    ['stray argument', ['config', 'extra'], 2, /Unexpected argument 'extra'/],
    ['command --help', ['config', '--help'], 0, /Usage: cutover config \[-c FILE\]/],
    ['no config file', ['config', '-c', 'nope.yml'], 2, /nope\.yml: does not exist/],
  ])('usage: %s', async (_, args, code, output) => {
    const { out, io: cli } = io(good)
    expect(await main(args, cli)).toBe(code)
    expect(out.stdout + out.stderr).toMatch(output)
  })

  it('a failure at run time is exit 1 with the message and no stack', async () => {
    const boom: CliCommand = { name: 'boom', summary: 'fails', usage: 'cutover boom', options: {}, run: () => { throw new Error('the host vm9 went away') } }
    const { out, io: cli } = io()
    expect(await main(['boom'], cli, [boom])).toBe(1)
    expect(out.stderr).toBe('cutover boom: the host vm9 went away\n')
  })

  it('passes parsed options and positionals to the command', async () => {
    let seen: unknown
    const echo: CliCommand = { name: 'echo', summary: 'echo', usage: 'cutover echo [-n N] WORD...', options: { n: { type: 'string', short: 'n' } }, positionals: true, run: (args) => ((seen = args), 0) }
    const { io: cli } = io()
    expect(await main(['echo', '-n', '3', 'a', 'b'], cli, [echo])).toBe(0)
    expect(seen).toEqual({ values: { n: '3' }, positionals: ['a', 'b'] })
  })
})
