import { describe, expect, it } from 'vitest'
import { executeSteps, type ExecuteOptions } from '../../../src/engine/execute.js'
import { memoryLogger } from '../../../src/log.js'
import { Secret } from '../../../src/plan/secret.js'
import type { OnFailure, Step } from '../../../src/plan/steps.js'
import { FakeRemoteHost, type Answer } from '../helpers/fake-remote-host.js'

// The executor's promises, each over a FakeRemoteHost that records every command:
// a new container that never gets healthy is removed and its (redacted) log tail reported;
// a failed switch never goes on to stop the old container; only bestEffort steps are skipped past.

const SECRET = 'hunter2-s3cret'
const redact = (text: string): string => text.split(SECRET).join('[REDACTED]')

const onFailure: OnFailure = {
  logs: { argv: ['docker', 'logs', '--tail', '50', 'web-new'] },
  cleanup: { argv: ['docker', 'rm', '--force', 'web-new'] },
}
const step = {
  pull: { kind: 'pull', exec: { argv: ['docker', 'pull', 'app:v2'] }, image: 'app:v2' },
  run: { kind: 'run', exec: { argv: ['docker', 'run', '--detach', '--name', 'web-new', 'app:v2'] }, container: 'web-new' },
  switch: { kind: 'proxyDeploy', exec: { argv: ['docker', 'exec', 'kamal-proxy', 'kamal-proxy', 'deploy', 'app-web', '--target', 'web-new:80'] }, service: 'app-web', container: 'web-new', onFailure },
  healthy: { kind: 'awaitHealthy', exec: { argv: ['docker', 'inspect', '--format', '{{.State.Status}}', 'web-new'] }, container: 'web-new', timeoutMs: 3000, onFailure },
  stopOld: { kind: 'stop', exec: { argv: ['docker', 'stop', 'web-old'] }, containers: ['web-old'] },
  prune: { kind: 'pruneImages', exec: { argv: ['docker', 'image', 'prune', '--force'] }, bestEffort: true },
  audit: { kind: 'audit', exec: { argv: ['sh', '-c', 'append audit'] }, bestEffort: true },
} satisfies Record<string, Step>

const CLEANUP = 'docker rm --force web-new'
const STOP_OLD = 'docker stop web-old'

async function execute(steps: Step[], rules: [string, ...Answer[]][], extra: Partial<ExecuteOptions> = {}) {
  const host = new FakeRemoteHost()
  for (const [word, ...answers] of rules) host.on(word, ...answers)
  const logger = memoryLogger()
  const sleeps: number[] = []
  const error = await executeSteps(host, steps, {
    logger,
    redact,
    sleep: async (ms) => void sleeps.push(ms),
    ...extra,
  }).then(
    () => undefined,
    (e: unknown) => e as Error,
  )
  return { host, error, lines: logger.lines, sleeps, sent: host.lines() }
}

describe('executeSteps: a new container that never gets healthy', () => {
  it.each([
    {
      name: 'the proxy switch fails',
      steps: [step.pull, step.run, step.switch, step.stopOld, step.prune],
      rules: [['deploy', { code: 1, stderr: 'target failed to become healthy within 30s\nmore' }]] as [string, ...Answer[]][],
      why: 'kamal-proxy did not switch app-web to it: target failed to become healthy within 30s',
    },
    {
      name: 'the container exits (no proxy)',
      steps: [step.pull, step.run, step.healthy, step.stopOld, step.prune],
      rules: [['inspect', { stdout: 'starting\n' }, { stdout: 'exited\n' }]] as [string, ...Answer[]][],
      why: 'it stopped or became unhealthy (exited)',
    },
    {
      name: 'the health check itself fails to run',
      steps: [step.run, step.healthy, step.stopOld],
      rules: [['inspect', { code: 1, stderr: 'No such object' }]] as [string, ...Answer[]][],
      why: 'it stopped or became unhealthy (exit 1)',
    },
    {
      name: 'the container is still starting at the deadline',
      steps: [step.run, step.healthy, step.stopOld],
      rules: [['inspect', { stdout: 'starting' }]] as [string, ...Answer[]][],
      why: 'it was not running within 3s',
    },
  ])('$name: the new container is removed, the old one keeps serving, nothing after runs', async ({ steps, rules, why }) => {
    const { error, sent } = await execute(steps, [...rules, ['logs', { stdout: 'booting\nlistening on :80\n' }]])
    expect(error).toBeInstanceOf(Error)
    expect(error!.message).toContain(`new container web-new never became healthy: ${why}; the previous version keeps serving`)
    expect(error!.message).toContain('last log lines of web-new:\nbooting\nlistening on :80')
    // Logs are read before the container is removed (a removed container has no logs).
    expect(sent.slice(-2)).toEqual(['docker logs --tail 50 web-new', CLEANUP])
    expect(sent).not.toContain(STOP_OLD)
    expect(sent.some((l) => l.includes('prune'))).toBe(false)
  })

  it('awaitHealthy polls until ready, sleeping the interval between polls, then goes on', async () => {
    const { error, sent, sleeps } = await execute(
      [step.run, step.healthy, step.stopOld],
      [['inspect', { stdout: 'created' }, { stdout: 'starting' }, { stdout: 'running' }]],
      { pollIntervalMs: 500 },
    )
    expect(error).toBeUndefined()
    expect(sleeps).toEqual([500, 500])
    expect(sent.filter((l) => l.includes('inspect'))).toHaveLength(3)
    expect(sent.at(-1)).toBe(STOP_OLD)
    expect(sent).not.toContain(CLEANUP)
  })

  it('awaitHealthy gives up once the waited time reaches timeoutMs (fake sleep, no real time)', async () => {
    const { error, sleeps, sent } = await execute([step.healthy], [['inspect', { stdout: 'starting' }]], { pollIntervalMs: 1000 })
    expect(error!.message).toContain('it was not running within 3s')
    expect(sleeps).toEqual([1000, 1000, 1000])
    expect(sent.filter((l) => l.includes('inspect'))).toHaveLength(4)
    expect(sent.at(-1)).toBe(CLEANUP)
  })

  it('the log tail in the error is redacted (stdout and stderr)', async () => {
    const { error } = await execute(
      [step.run, step.switch],
      [
        ['deploy', { code: 1, stderr: `bad target ${SECRET}` }],
        ['logs', { stdout: `DATABASE_URL=postgres://u:${SECRET}@db\n`, stderr: `panic: auth ${SECRET}\n` }],
      ],
    )
    expect(error!.message).not.toContain(SECRET)
    expect(error!.message).toContain('DATABASE_URL=postgres://u:[REDACTED]@db')
    expect(error!.message).toContain('panic: auth [REDACTED]')
    expect(error!.message).toContain('kamal-proxy did not switch app-web to it: bad target [REDACTED]')
  })

  it.each([
    ['cleanup exits non-zero', { code: 1, stderr: 'Error: removal of container web-new is already in progress\nmore' } as Answer, 'Error: removal of container web-new is already in progress'],
    ['the connection drops during cleanup', new Error('vm1: connection lost'), 'Error: vm1: connection lost'],
  ])('a failed cleanup (%s) is said, with what the next run does', async (_, answer, said) => {
    const { error } = await execute([step.run, step.switch], [['deploy', { code: 1, stderr: 'unhealthy' }], ['rm', answer]])
    expect(error!.message).toContain(`(cleaning up web-new failed too: ${said}; the next run removes it)`)
  })

  it('no log lines, or logs that cannot be read, are said as such', async () => {
    const { error } = await execute([step.run, step.switch], [['deploy', { code: 1 }], ['logs', new Error('vm1: connection lost')]])
    expect(error!.message).toContain('kamal-proxy did not switch app-web to it: exit code 1')
    expect(error!.message).toContain('web-new printed no log lines')
  })
})

describe('executeSteps: failing steps', () => {
  it.each([
    ['pull', step.pull, [step.pull, step.run, step.switch, step.stopOld], 'pull app:v2 failed (exit 1): denied: requires auth'],
    ['stop', step.stopOld, [step.run, step.switch, step.stopOld, step.prune], 'stop web-old failed (exit 1): denied: requires auth'],
  ] as const)('a failing %s stops the plan with what failed and what the host said', async (_, failing, steps, message) => {
    const word = failing.exec.argv[1]!
    const { error, sent } = await execute([...steps], [[word, { code: 1, stderr: 'noise\ndenied: requires auth' }]])
    expect(error!.message).toContain(message.replace('denied: requires auth', 'noise\ndenied: requires auth'))
    expect(sent.at(-1)).toBe(failing.exec.argv.join(' '))
    expect(sent).not.toContain(CLEANUP)
  })

  it('a failing command with no output names the command instead', async () => {
    const { error } = await execute([step.pull], [['pull', { code: 125 }]])
    expect(error!.message).toBe('pull app:v2 failed (exit 125): docker pull app:v2')
  })

  it('a command error is redacted', async () => {
    const { error } = await execute([step.pull], [['pull', { code: 1, stderr: `login as ${SECRET} failed` }]])
    expect(error!.message).toBe('pull app:v2 failed (exit 1): login as [REDACTED] failed')
  })

  it('bestEffort steps only warn and the next run retries them; the rest still runs', async () => {
    const { error, sent, lines } = await execute([step.run, step.switch, step.stopOld, step.prune, step.audit], [['prune', { code: 1, stderr: `disk ${SECRET}` }]])
    expect(error).toBeUndefined()
    expect(sent).toEqual([...[step.run, step.switch, step.stopOld, step.prune, step.audit].map((s) => s.exec.argv.join(' '))])
    expect(lines).toContain('warn: prune dangling images failed, left for the next run: prune dangling images failed (exit 1): disk [REDACTED]')
  })

  it('a dropped connection fails the step like a non-zero exit', async () => {
    const { error, sent } = await execute([step.pull, step.run], [['pull', new Error('vm1: connection lost')]])
    expect(error!.message).toBe('vm1: connection lost')
    expect(sent).toEqual(['docker pull app:v2'])
  })
})

describe('executeSteps: other step kinds', () => {
  it('writeFile uploads the revealed content with its mode; stdin and timeouts reach the host', async () => {
    const host = new FakeRemoteHost()
    const steps: Step[] = [
      { kind: 'writeFile', path: '.kamal/apps/app/env/roles/web.env', mode: 0o600, content: new Secret(`DB=${SECRET}\n`), keys: 1 },
      { kind: 'pull', exec: { argv: ['sh', '-c', 'login and pull'], stdin: new Secret(SECRET), timeoutMs: 120_000 }, image: 'app:v2', server: 'reg.test' },
    ]
    const logger = memoryLogger()
    await executeSteps(host, steps, { logger, redact })
    expect(host.uploads).toEqual([{ content: `DB=${SECRET}\n`, path: '.kamal/apps/app/env/roles/web.env', mode: 0o600 }])
    expect(host.sent[0]!.options).toEqual({ stdin: SECRET, timeoutMs: 120_000 })
    // The log says what each step does, never a secret.
    expect(lines(logger)).toEqual(['info: write .kamal/apps/app/env/roles/web.env (1 secret key, mode 600)', 'info: log in to reg.test and pull app:v2'])
  })
})

const lines = (l: { lines: string[] }): string[] => l.lines

describe('executeSteps: the barrier hooks', () => {
  it('`after` hears of every step that succeeded, in order, and not of a failed one', async () => {
    const heard: string[] = []
    const { error } = await execute([step.run, step.switch, step.stopOld], [['stop', { code: 1 }]], { after: (s) => void heard.push(s.kind) })
    expect(error).toBeInstanceOf(Error)
    expect(heard).toEqual(['run', 'proxyDeploy'])
  })

  it('`before` is awaited before each step runs', async () => {
    const order: string[] = []
    const host = new FakeRemoteHost()
    await executeSteps(host, [step.run, step.stopOld], {
      logger: memoryLogger(),
      redact,
      before: async (s) => {
        order.push(`before ${s.kind} (${host.sent.length} sent)`)
        await new Promise((r) => setImmediate(r))
      },
    })
    expect(order).toEqual(['before run (0 sent)', 'before stop (1 sent)'])
  })

  it.each([
    ['removed', {} as Answer, 'the primary role did not become healthy on any host; kept the previous version'],
    ['not removed', { code: 1, stderr: 'busy' } as Answer, 'the primary role did not become healthy on any host; kept the previous version (removing the new container failed; the next run does it)'],
  ])('a closed barrier before `stop` removes the healthy new container (%s) and keeps the old one', async (_, cleanup, message) => {
    const { error, sent } = await execute([step.run, step.healthy, step.stopOld, step.prune], [['inspect', { stdout: 'running' }], ['rm', cleanup]], {
      before: async (s) => {
        if (s.kind === 'stop') throw new Error(`the primary role did not become healthy on any host`)
      },
    })
    expect(error!.message).toBe(message)
    expect(sent.at(-1)).toBe(CLEANUP)
    expect(sent).not.toContain(STOP_OLD)
  })

  it('a closed barrier before any new container exists has nothing to clean up', async () => {
    const { error, sent } = await execute([step.stopOld], [], {
      before: async () => {
        throw new Error(`held back ${SECRET}`)
      },
    })
    expect(error!.message).toBe('held back [REDACTED]; kept the previous version')
    expect(sent).toEqual([])
  })
})
