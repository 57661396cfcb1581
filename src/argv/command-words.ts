import { parse as parseShellWords } from 'shell-quote'

/**
 * A one-off command's words (`cutover app exec`, the Action's `exec:` input). One string is split
 * as a shell would split it (`"bin/rails db:migrate"`, as Kamal takes it) without running a
 * shell, so operators are refused; several strings are the words already.
 */
export function commandWords(given: readonly string[]): string[] {
  if (given.length === 0) throw new Error('give the command to run, e.g. "bin/rails db:migrate"')
  if (given.length > 1) return [...given]
  const out: string[] = []
  for (const w of parseShellWords(given[0]!, (name) => `$${name}`)) {
    if (typeof w !== 'string') throw new Error(`${JSON.stringify(given[0])} uses shell syntax (${'op' in w ? w.op : 'a comment'}); wrap it in a shell yourself, e.g. 'sh -c "a && b"'`)
    out.push(w)
  }
  if (out.length === 0) throw new Error('the command is empty')
  return out
}
