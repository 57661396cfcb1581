/**
 * The `secrets` input: one `NAME=value` per line, for the names the config and `.kamal/secrets`
 * refer to. A multi-line value uses the heredoc form GitHub uses for GITHUB_ENV:
 *
 *     TLS_KEY<<EOF
 *     ...lines...
 *     EOF
 *
 * Blank lines and lines starting with `#` are skipped. Problems name the line number, never
 * the value: the whole input is secret.
 */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const HEREDOC = /^([^=<\s]+)<<(\S+)$/

export interface SecretsParse {
  values: Record<string, string>
  problems: string[]
}

const EXPECTED = 'expected NAME=value, or NAME<<EOF … EOF for a multi-line value'

export function parseSecrets(text: string): SecretsParse {
  const values: Record<string, string> = {}
  const problems: string[] = []
  const setOn = new Map<string, number>()
  const lines = text.split(/\r?\n/)
  // No message quotes the line: a value pasted without the heredoc form (a PEM body, a URL
  // whose query holds `=`) puts secret text where a name should be.
  const set = (name: string, value: string, lineNo: number) => {
    const earlier = setOn.get(name)
    if (!NAME.test(name)) {
      problems.push(`line ${lineNo}: the text before the first \`=\` is not a variable name (letters, digits and _, not starting with a digit); ${EXPECTED}`)
    } else if (earlier !== undefined) {
      problems.push(`line ${lineNo}: sets the same name as line ${earlier}; keep one`)
    } else {
      values[name] = value
      setOn.set(name, lineNo)
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const line = lines[i]!.replace(/^\s+/, '')
    if (line.trim() === '' || line.startsWith('#')) continue
    const heredoc = HEREDOC.exec(line.trim())
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string]
      const end = lines.findIndex((l, j) => j > i && l.trim() === delimiter)
      if (end === -1) {
        problems.push(`line ${lineNo}: the multi-line value started here has no closing line; end it with a line holding only the word after \`<<\``)
        break
      }
      set(name, lines.slice(i + 1, end).join('\n'), lineNo)
      i = end
      continue
    }
    const eq = line.indexOf('=')
    if (eq <= 0) {
      problems.push(`line ${lineNo}: ${eq < 0 ? 'has no `=`' : 'has no name before the `=`'}; ${EXPECTED}`)
      continue
    }
    // Values keep everything after the first `=`, including further `=` and inner spaces;
    // only the line's trailing whitespace (often a stray \r or space from YAML) is dropped.
    set(line.slice(0, eq).trim(), line.slice(eq + 1).replace(/\s+$/, ''), lineNo)
  }
  return { values, problems }
}
