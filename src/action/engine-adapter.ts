import { EngineFailure, type EnginePort } from './engine-port.js'

/**
 * Where the real deploy engine plugs into the Action. The engine (src/engine) is being written
 * separately; until its adapter replaces this function, every operation fails with a message
 * saying so. This is NOT an implementation: the Action's behaviour is tested with a fake
 * engine in test/support/action/fake-engine.ts.
 */
export function createEnginePort(): EnginePort {
  const missing = (): never => {
    throw new EngineFailure('cutover: this build of the Action has no deploy engine wired in yet (src/action/engine-adapter.ts)')
  }
  return { deploy: missing, rollback: missing, remove: missing, previewDeploy: missing, previewRemove: missing, releaseLockIfOwned: missing }
}
