import type { PhaseLogger } from './engine-port.js'

/** How long each named phase (gate, build) took, for the job summary. */
export interface PhaseTiming {
  name: string
  ms: number
}

/**
 * Wraps RunIO.phase so every phase's time from open to end is pushed to `timings`: the engine
 * opens `gate` and `build` while they run, so their wall time is what a person waited (they
 * overlap: the gate waits while the image builds). A phase never ended (cancelled) is not recorded.
 */
export function timedPhases(phase: (name: string) => PhaseLogger, timings: PhaseTiming[], now: () => number = Date.now): (name: string) => PhaseLogger {
  return (name) => {
    const started = now()
    const p = phase(name)
    let ended = false
    return Object.assign({ ...p }, {
      end: () => {
        if (!ended) timings.push({ name, ms: now() - started })
        ended = true
        p.end()
      },
    })
  }
}
