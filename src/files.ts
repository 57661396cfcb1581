import { readFileSync } from 'node:fs'

/** Something is at the path but cannot be read as a text file (a directory, no permission...). */
export class FileReadError extends Error {
  override name = 'FileReadError'
  constructor(
    readonly path: string,
    /** What is wrong, worded to follow the file's name: "is a directory, not a file". */
    readonly reason: string,
  ) {
    super(`${path} ${reason}`)
  }
}

/**
 * The file's text, or undefined when nothing is there. Anything else is a FileReadError that
 * says why: a directory where a file belongs must not read as "no file", since a missing
 * secrets file changes where secrets come from.
 */
export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    const reason =
      code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read: permission denied' : `cannot be read (${code ?? (err as Error).message})`
    throw new FileReadError(path, reason)
  }
}
