import { prefixedLogger, type Logger } from '../log.js'
import type { PhaseLogger } from './engine-port.js'

/** Where lines end up: @actions/core in the Action, an array in tests. */
export interface LogSink {
  info(line: string): void
  warning(line: string): void
  debug(line: string): void
  startGroup(name: string): void
  endGroup(): void
}

type Level = 'info' | 'warn' | 'error' | 'debug'
type Line = { level: Level; text: string }

interface Phase {
  name: string
  buffer: Line[]
  ended: boolean
}

/**
 * Log groups cannot nest or interleave, but the engine's phases overlap: the gate waits while
 * the build runs, and hosts deploy in parallel. So one phase at a time is "live" (its group is
 * open and its lines stream); the others buffer, and each is printed whole, as its own group,
 * when its turn comes. No line is lost or reordered within its phase.
 */
export class GroupedLog {
  private live: Phase | undefined
  private readonly queue: Phase[] = []

  constructor(private readonly sink: LogSink) {}

  /** Lines outside any phase: printed at once (between groups when none is open). */
  readonly log: Logger = prefixedLogger((level, text) => this.emit(level, text))

  phase(name: string): PhaseLogger {
    const p: Phase = { name, buffer: [], ended: false }
    if (this.live) this.queue.push(p)
    else this.open(p)
    const logger = prefixedLogger((level, text) => this.write(p, level, text))
    return Object.assign(logger, { end: () => this.end(p) })
  }

  /** Prints whatever is still buffered (on cancellation or at the very end), so nothing is lost. */
  flush(): void {
    while (this.live || this.queue.length) {
      if (this.live) this.close()
      const next = this.queue.shift()
      if (next) this.open(next)
    }
  }

  private write(p: Phase, level: Level, text: string): void {
    if (p === this.live) this.emit(level, text)
    else if (!p.ended) p.buffer.push({ level, text })
  }

  private end(p: Phase): void {
    if (p.ended) return
    p.ended = true
    if (p !== this.live) return
    this.close()
    // Phases that finished while waiting print whole; the first unfinished one goes live.
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.open(next)
      if (!next.ended) return
      this.close()
    }
  }

  private open(p: Phase): void {
    this.live = p
    this.sink.startGroup(p.name)
    for (const l of p.buffer.splice(0)) this.emit(l.level, l.text)
  }

  private close(): void {
    this.live = undefined
    this.sink.endGroup()
  }

  private emit(level: Level, text: string): void {
    // Errors are plain lines: the Action makes exactly one annotation per failure itself.
    if (level === 'warn') this.sink.warning(text)
    else if (level === 'debug') this.sink.debug(text)
    else this.sink.info(level === 'error' ? `Error: ${text}` : text)
  }
}
