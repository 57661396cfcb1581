/** A command as data: program first, then its arguments. Nothing here runs anything. */
export type Argv = readonly string[]

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/

/**
 * The one place where argv becomes a shell string, because ssh2 sends a command *string*.
 * Every word that is not plainly safe is single-quoted, so quotes, `$()`, backticks and
 * newlines reach the remote program literally.
 */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word
  return `'${word.replace(/'/g, `'\\''`)}'`
}

export function shellJoin(argv: Argv): string {
  if (argv.length === 0) throw new Error('shellJoin: empty argv')
  return argv.map(shellQuote).join(' ')
}
