import { describe, expect, it } from 'vitest'
import { gateEnabled, InputError, parseDuration, readInputs } from '../../../src/action/inputs.js'
import { parseSecrets } from '../../../src/action/secrets-input.js'
import { toTarget } from '../../../src/action/requests.js'
import { inputDefaults } from '../../support/action/runner-files.js'

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAkeymaterial-Sentinel-1\n-----END OPENSSH PRIVATE KEY-----'
const valid = { 'known-hosts': 'vm1 ssh-ed25519 AAAAC3Nza', 'github-token': 'ghs_tok', 'ssh-private-key': KEY }

/** Reads inputs as the runner gives them: action.yml defaults, then the step's `with:`. */
function read(given: Record<string, string>) {
  const all: Record<string, string> = { ...inputDefaults(), ...given }
  const calls: string[] = []
  const reader = {
    get: (name: string) => {
      calls.push(`get ${name}`)
      return (all[name] ?? '').trim()
    },
    setSecret: (v: string) => calls.push(`mask ${v}`),
  }
  try {
    return { inputs: readInputs(reader), calls, error: undefined }
  } catch (err) {
    if (!(err instanceof InputError)) throw err
    return { inputs: undefined, calls, error: err }
  }
}

describe('readInputs', () => {
  it('defaults from action.yml give a deploy of config/deploy.yml with the gate on', () => {
    const { inputs } = read(valid)
    expect(inputs).toMatchObject({ command: 'deploy', configFile: 'config/deploy.yml', skipBuild: false, skipPush: false, skipHooks: false, secrets: {} })
    expect(inputs!.gate).toEqual({ enabled: undefined, checks: [], allowedConclusions: ['success', 'skipped', 'neutral'], timeoutMs: 30 * 60_000 })
    expect(gateEnabled(inputs!)).toBe(true)
  })

  it('max-connections reaches the Target the session is opened from; unset leaves the config\'s', () => {
    expect(read({ ...valid, 'max-connections': '4' }).inputs!.maxConnections).toBe(4)
    expect(read(valid).inputs!.maxConnections).toBeUndefined()
    expect(toTarget(read({ ...valid, 'max-connections': '4' }).inputs!, 'run-1', {}).maxConnections).toBe(4)
  })

  it.each([
    [{ command: 'ship' }, 'Input `command` is "ship"; set it to one of: deploy, rollback, remove, preview-deploy, preview-remove, plan, exec.'],
    [{ command: 'rollback' }, 'Input `version` is required for `command: rollback`'],
    [{ version: '-bad' }, 'Input `version` is "-bad"; a version is an image tag'],
    [{ destination: '../prod' }, 'Input `destination` is "../prod"'],
    [{ 'skip-build': 'yes' }, 'Input `skip-build` is "yes"; set it to true or false.'],
    [{ 'skip-hooks': 'no' }, 'Input `skip-hooks` is "no"; set it to true or false.'],
    [{ 'wait-for-checks': '1' }, 'Input `wait-for-checks` is "1"; set it to true or false.'],
    [{ 'gate-timeout': 'soon' }, 'Input `gate-timeout` is "soon"; write a duration such as 30m'],
    [{ 'allowed-conclusions': 'success,sucess' }, 'Input `allowed-conclusions` has "sucess"'],
    [{ 'pr-number': '12a' }, 'Input `pr-number` is "12a"'],
    [{ 'max-connections': '0' }, 'Input `max-connections` is "0"; pass a whole number of SSH connections, at least 1, e.g. `max-connections: 8`'],
    [{ 'max-connections': 'many' }, 'Input `max-connections` is "many"'],
    [{ 'known-hosts': '' }, 'Input `known-hosts` is required: host keys are always verified.'],
    [{ 'known-hosts': 'vm1 ssh-ed25519' }, 'Input `known-hosts`, line 1: expected "HOST KEYTYPE KEY"'],
    [{ 'github-token': '' }, 'Input `github-token` is empty, and the CI gate needs it'],
    [{ 'github-token': '', command: 'rollback', version: 'v1', 'wait-for-checks': 'true' }, 'or set `wait-for-checks: false` to deploy without one'],
    [{ 'ssh-private-key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA me@laptop' }, 'Input `ssh-private-key` holds a public key'],
    [{ 'ssh-private-key': 'hunter2-Sentinel' }, 'Input `ssh-private-key` is not a private key'],
    [{ secrets: 'DATABASE_URL postgres://x' }, 'Input `secrets`, line 1: has no `=`; expected NAME=value, or NAME<<EOF … EOF for a multi-line value'],
    [{ secrets: '1ABC=x' }, 'Input `secrets`, line 1: the text before the first `=` is not a variable name'],
    [{ command: 'remove', 'wait-for-checks': 'true' }, 'Input `wait-for-checks` is true, but `command: remove` never waits for CI'],
    [{ command: 'preview-remove', 'wait-for-checks': 'true' }, 'Input `wait-for-checks` is true, but `command: preview-remove` never waits for CI'],
    [{ 'registry-username': 'bot' }, 'Input `registry-username` is set but `registry-password` is empty'],
  ])('%j → names the input and the fix', (given, message) => {
    const { error } = read({ ...valid, ...given })
    expect(error?.message).toContain(message)
  })

  it("skip-hooks: true reaches the engine's DeployRequest (Kamal's --skip-hooks); a rollback's request says KAMAL_COMMAND=rollback", async () => {
    const { inputs } = read({ ...valid, 'skip-hooks': 'true' })
    expect(inputs!.skipHooks).toBe(true)
    const { deployRequest } = await import('../../../src/action/requests.js')
    const event = { eventName: 'push', repository: 'acme/shop', sha: 'a'.repeat(40), fromFork: false }
    expect(deployRequest(inputs!, event, 'run-1', {}, '/app').skipHooks).toBe(true)
    const plain = deployRequest(read(valid).inputs!, event, 'run-1', {}, '/app')
    expect(plain.skipHooks).toBeUndefined()
    expect(plain.command ?? 'deploy').toBe('deploy')
    const rollback = read({ ...valid, command: 'rollback', version: 'v1' }).inputs!
    expect(deployRequest(rollback, event, 'run-1', {}, '/app')).toMatchObject({ command: 'rollback', version: 'v1', skipBuild: true })
  })

  it.each<Record<string, string>>([
    { 'wait-for-checks': 'false' },
    { command: 'rollback', version: 'v1' },
    { command: 'remove' },
  ])('no github-token is fine when the gate is off (%j): the run then only skips its GitHub records', (given) => {
    const { inputs, error } = read({ ...valid, 'github-token': '', ...given })
    expect(error).toBeUndefined()
    expect(inputs!.githubToken).toBe('')
  })

  it('a secret shorter than the minimum (PIN=1) registers no mask, so the runner does not star every 1 in the log; a long one does', () => {
    const { calls } = read({ ...valid, secrets: 'PIN=1\nTOKEN=long-Sentinel-9' })
    const masks = calls.filter((c) => c.startsWith('mask ')).map((c) => c.slice(5))
    expect(masks).toContain('long-Sentinel-9')
    expect(masks.filter((m) => m.length < 4)).toEqual([])
  })

  it('reports every problem at once, in one message', () => {
    const { error } = read({ command: 'ship', 'skip-push': 'maybe' })
    expect(error!.problems).toHaveLength(4)
    expect(error!.message.split('\n')[0]).toBe('4 problems with the inputs:')
  })

  it('masks secret inputs and derived values before reading anything else, and never puts them in errors', () => {
    const secrets = 'DB=db-Sentinel-2\nCERT<<END\ncert-line-Sentinel-3\ncert-line-Sentinel-4\nEND'
    const { calls, error } = read({ ...valid, 'ssh-private-key': 'hunter2-Sentinel', secrets, 'registry-username': 'bob', 'registry-password': 'pw-Sentinel-5', command: 'ship' })
    const firstPlainRead = calls.findIndex((c) => c.startsWith('get ') && !['ssh-private-key', 'registry-password', 'github-token', 'secrets', 'registry-username'].includes(c.slice(4)))
    const masks = calls.slice(0, firstPlainRead).filter((c) => c.startsWith('mask ')).map((c) => c.slice(5))
    expect(masks).toEqual(
      expect.arrayContaining([
        'hunter2-Sentinel', 'db-Sentinel-2', 'cert-line-Sentinel-3\ncert-line-Sentinel-4', 'cert-line-Sentinel-3', 'cert-line-Sentinel-4', 'pw-Sentinel-5',
        Buffer.from('bob:pw-Sentinel-5').toString('base64'), Buffer.from('pw-Sentinel-5').toString('base64'), 'ghs_tok',
      ]),
    )
    expect(error!.message).not.toMatch(/Sentinel|ghs_tok/)
  })

  it('multi-line keys are masked line by line too, without masking the PEM armor', () => {
    const { calls } = read(valid)
    const masks = calls.filter((c) => c.startsWith('mask ')).map((c) => c.slice(5))
    expect(masks).toContain('AAAAkeymaterial-Sentinel-1')
    expect(masks).not.toContain('-----BEGIN OPENSSH PRIVATE KEY-----')
  })

  it('gate defaults per command: on for deploys, off for rollback and removals unless asked', () => {
    const on = (command: string, wait = '') => gateEnabled(read({ ...valid, command, version: 'v1', 'wait-for-checks': wait }).inputs!)
    expect(['deploy', 'preview-deploy', 'rollback', 'remove', 'preview-remove'].map((c) => on(c))).toEqual([true, true, false, false, false])
    expect(on('rollback', 'true')).toBe(true)
    expect(on('deploy', 'false')).toBe(false)
  })

  it('removals accept wait-for-checks false or unset', () => {
    for (const wait of ['', 'false']) {
      for (const command of ['remove', 'preview-remove']) expect(read({ ...valid, command, 'wait-for-checks': wait }).error).toBeUndefined()
    }
  })

  it('checks and registry credentials', () => {
    const { inputs } = read({ ...valid, checks: 'test\nlint, build (*)', 'registry-password': 'p', 'gate-timeout': '90s' })
    expect(inputs!.gate.checks).toEqual(['test', 'lint', 'build (*)'])
    expect(inputs!.gate.timeoutMs).toBe(90_000)
    expect(inputs!.registry).toEqual({ username: undefined, password: 'p' })
  })
})

describe('parseSecrets', () => {
  it.each([
    ['A=1\nB=x=y', { A: '1', B: 'x=y' }],
    ['# comment\n\n  SPACED = keeps inner spaces  ', { SPACED: ' keeps inner spaces' }],
    ['KEY<<EOF\nline 1\n  line 2\nEOF\nNEXT=2', { KEY: 'line 1\n  line 2', NEXT: '2' }],
    ['EMPTY=', { EMPTY: '' }],
    ['WIN=1\r\nOTHER=2\r\n', { WIN: '1', OTHER: '2' }],
  ])('%j', (text, values) => {
    expect(parseSecrets(text)).toEqual({ values, problems: [] })
  })

  it.each([
    ['A=1\nA=2', 'line 2: sets the same name as line 1; keep one'],
    ['K<<EOF\nno end', 'line 1: the multi-line value started here has no closing line'],
    ['bad-name=1', 'line 1: the text before the first `=` is not a variable name (letters, digits and _, not starting with a digit); expected NAME=value, or NAME<<EOF … EOF for a multi-line value'],
    ['=value', 'line 1: has no name before the `=`; expected NAME=value'],
  ])('%j → %s', (text, problem) => {
    expect(parseSecrets(text).problems[0]).toContain(problem)
  })

  // Secret text pasted where a NAME=value line belongs: a URL whose query holds `=`, the last
  // line of a PEM or base64 body (padding `==`), a value pasted without the heredoc form.
  it.each([
    ['DATABASE_URL=ok\npostgres://u:pw-Sentinel9@db.internal/x?a=b'],
    ['TLS_KEY=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq+hkiG9w0BAQEFAASCBKcw/ggSjAgEAAoIBAQC7Sentinel==\n-----END PRIVATE KEY-----'],
    ['tok+en/Sentinel42=x'],
    ['K<<E\nbody+Sentinel+part\nEOF'],
    ['A=1\n9Sentinel-base64-tail=='],
  ])('never echoes any part of a bad line: %j', (text) => {
    const { problems } = parseSecrets(text)
    expect(problems.length).toBeGreaterThan(0)
    const message = problems.join('\n')
    for (const line of text.split('\n')) {
      // Every 5-character piece of every line: none may reach the message (the fixed words
      // NAME=value and EOF are not in any of these lines' pieces).
      for (let i = 0; i + 5 <= line.length; i++) expect(message, `echoed ${JSON.stringify(line.slice(i, i + 5))}`).not.toContain(line.slice(i, i + 5))
    }
  })
})

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000], ['90s', 90_000], ['1h30m', 5_400_000], ['2h', 7_200_000], ['600', 600_000], ['500ms', 500], ['1m30s', 90_000],
    ['', undefined], ['soon', undefined], ['1d', undefined], ['m', undefined], ['-5', undefined],
  ])('%j → %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })
})
