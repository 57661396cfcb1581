import { shellJoin } from '../src/argv/shell-join.js'
import { observe } from '../src/argv/observe.js'
import { loadConfigOrThrow } from '../src/config/index.js'
import type { DeployResult } from '../src/engine/result.js'
import { deployService } from '../src/engine/service.js'
import { nonce, Session } from '../src/engine/session.js'
import { hostTargets } from '../src/engine/targets.js'
import { observeHost } from '../src/engine/observe.js'
import { memoryLogger } from '../src/log.js'
import { observeQueryFor } from '../src/plan/desired.js'
import { helloDir, helloEnv } from '../test/testbed/hello-app.js'
import type { Testbed } from '../test/testbed/testbed-json.js'

/**
 * The engine in this process (from src/, through tsx): what a deploy costs without Node's
 * startup and without loading the bundle. Each call opens fresh SSH connections, as a CLI run does.
 */
function open(testbed: Testbed, configFile: string): Session {
  const { config, secrets } = loadConfigOrThrow({ configFile, cwd: helloDir, env: helloEnv(testbed) })
  return new Session({ config, secrets, logger: memoryLogger(), knownHosts: testbed.ssh.knownHostsPath, extraKeys: { paths: [testbed.ssh.keyPath] } })
}

/** Config load, registry check, connect, observe (and execute, when there is work), close. */
export async function inProcessDeploy(testbed: Testbed, configFile: string, version: string): Promise<{ ms: number; result: DeployResult }> {
  const started = performance.now()
  const session = open(testbed, configFile)
  try {
    const result = await deployService(session, { version, performer: 'bench' }, session.options.logger)
    return { ms: performance.now() - started, result }
  } finally {
    await session.close()
  }
}

/**
 * The phases of an unchanged deploy, timed one by one (each a wall time over all hosts in
 * parallel), the way deployService runs them: config, registry check, SSH connect, observe, close.
 */
export async function unchangedPhases(testbed: Testbed, configFile: string, version: string): Promise<Record<string, number>> {
  const t0 = performance.now()
  const session = open(testbed, configFile)
  const t1 = performance.now()
  try {
    const imageId = await session.imageDigest(version)
    const t2 = performance.now()
    const { config, secrets } = session.options
    const targets = hostTargets({ config, secrets, version, imageId, run: { performer: 'bench', at: new Date().toISOString(), nonce: nonce() } })
    const hosts = await Promise.all(targets.map((t) => session.host(t.host)))
    const t3 = performance.now()
    // A first look, as deploy's first pass does (see src/engine/deploy.ts).
    await Promise.all(targets.map((t, i) => observeHost(hosts[i]!, observeQueryFor(t.roles[0]!, 'first'))))
    const t4 = performance.now()
    await session.close()
    const t5 = performance.now()
    return { config: t1 - t0, registry: t2 - t1, connect: t3 - t2, observe: t4 - t3, close: t5 - t4 }
  } finally {
    await session.close()
  }
}

/** The observe script of an unchanged deploy (its first look) as one shell command string, to run it through OpenSSH for comparison. */
export function observeCommand(testbed: Testbed, configFile: string, version: string): string {
  const session = open(testbed, configFile)
  const { config, secrets } = session.options
  const [target] = hostTargets({ config, secrets, version, imageId: 'sha256:0', run: { performer: 'bench', at: new Date().toISOString(), nonce: nonce() } })
  void session.close()
  return shellJoin(observe(observeQueryFor(target!.roles[0]!, 'first')))
}
