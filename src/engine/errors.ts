/** The new container was switched back after the switch (engine/verify.ts): the old version serves. The deploy marks the host `rolledBack`. */
export class RollbackError extends Error {
  override name = 'RollbackError'
}
