/**
 * Where the engine's human-readable output goes. The CLI writes to stderr; the Action maps
 * these onto @actions/core, so the engine itself never imports @actions/*.
 */
export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  debug(message: string): void
  /** The same logger with every line prefixed, e.g. by host name. */
  child(prefix: string): Logger
}

export function prefixedLogger(sink: (level: 'info' | 'warn' | 'error' | 'debug', line: string) => void, prefix = ''): Logger {
  const emit = (level: 'info' | 'warn' | 'error' | 'debug') => (message: string) => {
    for (const line of message.split('\n')) sink(level, prefix ? `${prefix} ${line}` : line)
  }
  return {
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    debug: emit('debug'),
    child: (p) => prefixedLogger(sink, prefix ? `${prefix} ${p}` : p),
  }
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return Object.assign(prefixedLogger((level, line) => lines.push(`${level}: ${line}`)), { lines })
}
