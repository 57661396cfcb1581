import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { deploy, type ConvergeRequest } from '../../../src/engine/deploy.js'
import { deployHooks, HOOK_NAMES, HookRunner } from '../../../src/hooks/index.js'
import { memoryLogger } from '../../../src/log.js'
import { tempDir } from '../helpers/sh.js'
import { d, fakeHost, type Situation } from './fleet.js'

// The hooks around a real deploy() against one host whose commands run in a real sh with a fake
// docker CLI (as deploy-observe.test.ts), the hooks being real scripts that log what they saw:
// their order, KAMAL_LOCK, KAMAL_HOSTS, KAMAL_RUNTIME, whether the lock directory existed on the
// host, and whether the secrets reached them.
const request: ConvergeRequest = {
  version: 'v2',
  image: 'registry.test:5000/app:v2',
  targets: [{ host: 'vm1', roles: [d] }],
  lock: { host: 'vm1', app: { service: 'app', destination: null }, details: { lockedBy: 't', at: '2025-01-01T00:00:00Z', version: 'v2', message: 'm' } },
}

/** Every hook logs one line to `log`; `failing` exits 1. */
function hooksDir(home: string, failing?: string): { dir: string; log: string } {
  const dir = tempDir('app')
  const log = join(dir, 'hooks.log')
  mkdirSync(join(dir, '.kamal/hooks'), { recursive: true })
  for (const name of HOOK_NAMES) {
    const file = join(dir, '.kamal/hooks', name)
    writeFileSync(
      file,
      `#!/bin/sh\nheld=free; [ -d '${home}/.kamal/lock-app' ] && held=held\n` +
        `echo "${name} lock=$KAMAL_LOCK hosts=$KAMAL_HOSTS host-lock=$held runtime=\${KAMAL_RUNTIME-} version=$KAMAL_VERSION secret=\${DB_PASSWORD-none}" >> '${log}'\n` +
        (name === failing ? 'echo "no deploys on Fridays"; exit 1\n' : ''),
    )
    chmodSync(file, 0o755)
  }
  return { dir, log }
}

/** What ship() and deployService() do around deploy(): pre-connect, pre-build, deploy, post-deploy. */
async function deployWithHooks(situation: Situation, failing?: string) {
  const f = fakeHost(situation)
  const app = hooksDir(f.home, failing)
  const logger = memoryLogger()
  const hooks = deployHooks(
    new HookRunner({
      dir: join(app.dir, '.kamal/hooks'),
      cwd: app.dir,
      skip: false,
      run: { service: 'app', version: '', performer: 'me', command: 'deploy', hosts: ['vm1'] },
      secrets: () => ({ DB_PASSWORD: 'hook-pw' }),
      redact: (t) => t,
      logger,
      startedAt: Date.now() - 100_000,
    }),
  )
  let error: unknown = null
  try {
    await hooks.preConnect(async () => 'v2')
    await hooks.preBuild('v2')
    await hooks.preConnect() // a second connection: no second pre-connect
    const result = await deploy(request, { pool: { host: async () => f.host }, logger, redact: (t) => t, kamalHooks: hooks })
    await hooks.postDeploy(result.hosts.every((h) => h.action !== 'failed'))
  } catch (e) {
    error = e
  }
  const raw = existsSync(app.log) ? readFileSync(app.log, 'utf8').trim().split('\n') : []
  // KAMAL_RUNTIME counts from the run's start (100 s before): whole seconds, load-dependent.
  const fired = raw.map((l) => l.replace(/runtime=(\d+)/, (_, n: string) => (Number(n) >= 100 && Number(n) < 200 ? 'runtime=100+' : `runtime=${n}`)))
  return { fired, error, calls: f.calls(), home: f.home }
}

const S = 'secret=hook-pw'
const N = 'secret=none'

describe("hooks fire in Kamal's order, with Kamal's variables", () => {
  it.each<{ situation: Situation; fired: string[] }>([
    {
      situation: 'work',
      fired: [
        `pre-connect lock=false hosts=vm1 host-lock=free runtime= version=v2 ${S}`,
        `pre-build lock=false hosts=vm1 host-lock=free runtime= version=v2 ${N}`,
        `pre-deploy lock=true hosts=vm1 host-lock=held runtime= version=v2 ${S}`,
        `pre-app-boot lock=true hosts=vm1 host-lock=held runtime= version=v2 ${N}`,
        `post-app-boot lock=true hosts=vm1 host-lock=held runtime= version=v2 ${N}`,
        // After the lock is released, with the run's whole time (it began 100 s before).
        `post-deploy lock=false hosts=vm1 host-lock=free runtime=100+ version=v2 ${S}`,
      ],
    },
    // A no-op: no lock, nothing changes, so neither pre-deploy nor post-deploy (see lifecycle.ts).
    { situation: 'unchanged', fired: [`pre-connect lock=false hosts=vm1 host-lock=free runtime= version=v2 ${S}`, `pre-build lock=false hosts=vm1 host-lock=free runtime= version=v2 ${N}`] },
    // A host failed: no post-app-boot and no post-deploy (Kamal raises there).
    {
      situation: 'switch fails',
      fired: [
        `pre-connect lock=false hosts=vm1 host-lock=free runtime= version=v2 ${S}`,
        `pre-build lock=false hosts=vm1 host-lock=free runtime= version=v2 ${N}`,
        `pre-deploy lock=true hosts=vm1 host-lock=held runtime= version=v2 ${S}`,
        `pre-app-boot lock=true hosts=vm1 host-lock=held runtime= version=v2 ${N}`,
      ],
    },
  ])('$situation', async ({ situation, fired }) => {
    const r = await deployWithHooks(situation)
    expect(r.error).toBeNull()
    expect(r.fired).toEqual(fired)
    expect(existsSync(join(r.home, '.kamal/lock-app')), 'the lock is released').toBe(false)
  })

  it.each(['pre-deploy', 'pre-app-boot'])('a failing %s stops the deploy before the host changes, and the lock is released', async (hook) => {
    const r = await deployWithHooks('work', hook)
    expect(r.error).toBeInstanceOf(Error)
    expect((r.error as Error).message).toMatch(new RegExp(`^hook ${hook} \\(\\.kamal/hooks/${hook}\\) failed with exit code 1 .*\\nno deploys on Fridays$`))
    expect(r.fired.map((l) => l.split(' ')[0])).toEqual(['pre-connect', 'pre-build', 'pre-deploy', ...(hook === 'pre-app-boot' ? ['pre-app-boot'] : [])])
    // Only looks: the two observes, nothing that writes (the fake docker fails on anything else).
    expect(r.calls.every((c) => /^(ps |container inspect |exec kamal-proxy kamal-proxy list|image ls )/.test(c)), r.calls.join('\n')).toBe(true)
    expect(existsSync(join(r.home, '.kamal/lock-app')), 'the lock is released').toBe(false)
  })
})
