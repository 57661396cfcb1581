/** A step failed: the message is already redacted and says what to look at. */
export class StepError extends Error {
  override name = 'StepError'
}

/** The new container was switched back after the switch (engine/verify.ts): the old version serves. */
export class RollbackError extends StepError {
  override name = 'RollbackError'
}
