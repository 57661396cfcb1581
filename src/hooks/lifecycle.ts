import type { HookRunner } from './runner.js'

/**
 * When each hook fires, following Kamal 2.11's order for `deploy` and `rollback`
 * (lib/kamal/cli/main.rb, app.rb, build.rb, base.rb):
 *
 *   pre-connect → pre-build (only when an image is built) → [lock taken] pre-deploy →
 *   per boot group: pre-app-boot → boot → post-app-boot → [lock released] → post-deploy
 *
 * A no-op deploy (every host already runs this version with these settings) takes no lock and
 * changes nothing, so pre-deploy and post-deploy do not fire: in Kamal's order pre-deploy is the
 * first thing done under the lock, just before hosts change, and Kamal's own `rollback` skips both
 * hooks when it finds nothing to roll back to. pre-connect still fires (cutover connects to look).
 * post-deploy fires only when the run reached pre-deploy's point and no host failed (Kamal raises on a failed
 * host, so its post-deploy never runs then), after the lock is released, with KAMAL_RUNTIME.
 */
export interface DeployHooks {
  /** The version being deployed, once known (KAMAL_VERSION of every later hook). */
  setVersion(version: string): void
  /** Before the first SSH connection or the build, once per run. `version` is asked only when the hook exists. */
  preConnect(version?: () => Promise<string>): Promise<void>
  /** Only when an image is really built (not when the registry already has it). */
  preBuild(version: string): Promise<void>
  /** Under the deploy lock, before any host changes. */
  preDeploy(): Promise<void>
  /**
   * One boot group (Kamal's `boot.limit`): pre-app-boot with KAMAL_HOSTS = the group's hosts,
   * `boot`, then post-app-boot when `succeeded(result)`. The engine's group loop (runInGroups,
   * via deploy.ts) calls it once per group, with the group's hosts that have work; a group
   * without any (every host unchanged) runs `boot` without hooks.
   */
  bootGroup<T>(hosts: readonly string[], boot: () => Promise<T>, succeeded: (result: T) => boolean): Promise<T>
  /** After the lock is released, when pre-deploy fired and `ok`. */
  postDeploy(ok: boolean): Promise<void>
  /**
   * Kamal fires docker-setup from `server bootstrap` (under the lock, once every host has Docker):
   * called by engine/bootstrap.ts, `cutover server bootstrap`.
   */
  dockerSetup(): Promise<void>
}

/** Hooks off: nothing fires, every boot just runs. */
export const NO_HOOKS: DeployHooks = {
  setVersion: () => {},
  preConnect: async () => {},
  preBuild: async () => {},
  preDeploy: async () => {},
  bootGroup: (_hosts, boot) => boot(),
  postDeploy: async () => {},
  dockerSetup: async () => {},
}

/** Kamal's hooks around one deploy or rollback, run by `runner`. */
export function deployHooks(runner: HookRunner): DeployHooks {
  let connected = false
  // Whether the run got as far as pre-deploy's point (its file need not exist): post-deploy pairs with it.
  let deploying = false
  return {
    setVersion: (version) => runner.setVersion(version),
    async preConnect(version) {
      // As Kamal's KAMAL.connected: the first connection of the run fires it, later ones do not.
      if (connected) return
      connected = true
      if (version && runner.present('pre-connect')) runner.setVersion(await version())
      await runner.run('pre-connect', { lock: false })
    },
    async preBuild(version) {
      runner.setVersion(version)
      await runner.run('pre-build', { lock: false })
    },
    async preDeploy() {
      deploying = true
      await runner.run('pre-deploy', { lock: true })
    },
    async bootGroup(hosts, boot, succeeded) {
      if (hosts.length === 0) return boot()
      await runner.run('pre-app-boot', { lock: true, hosts })
      const result = await boot()
      if (succeeded(result)) await runner.run('post-app-boot', { lock: true, hosts })
      return result
    },
    async postDeploy(ok) {
      if (!ok || !deploying) return
      await runner.run('post-deploy', { lock: false, runtimeS: runner.runtimeS() })
    },
    async dockerSetup() {
      await runner.run('docker-setup', { lock: true })
    },
  }
}
