/**
 * What docker said that matters, out of everything it printed. A failed `docker login … && docker
 * pull …` prints login's stored-credentials WARNING (three lines, on every successful login) and
 * pull's progress lines before the one line that says why it failed ("manifest unknown", "unknown
 * blob", "denied", an x509 error). Errors quote that line first, so the cause is what a person
 * (and a one-line summary) sees, not the noise.
 */

/** Lines docker prints on success or as progress: never a cause. */
const NOISE = [
  /^WARNING! /i,
  /credential helper|credential-store|credentials-store|docs\.docker\.com|^Login Succeeded/i,
  /^[0-9a-f]{12}: (Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists|Retrying)/i,
  /^(Pulling from|Digest: sha256:|Status: |[\w.-]+: Pulling from )/i,
  /^time="[^"]*" level=(info|debug|warning)/i,
]

/** A line that names a failure. */
const CAUSE = /error|unknown blob|manifest unknown|not found|denied|unauthorized|forbidden|x509|certificate|toomanyrequests|no space left|connection refused|no such host|i\/o timeout|timeout|failed|invalid|unexpected EOF|EOF$/i

/**
 * The cause lines of a failed docker command, most telling first: lines that name a failure (the
 * last one first: docker's final word is its verdict), then any other non-noise lines, at most
 * `max` in all. Empty when docker said nothing but noise.
 */
export function dockerCause(stderr: string, stdout = '', max = 5): string[] {
  const lines = `${stderr}\n${stdout}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !NOISE.some((n) => n.test(l)))
  const causes = lines.filter((l) => CAUSE.test(l)).reverse()
  const rest = lines.filter((l) => !CAUSE.test(l))
  return [...new Set([...causes, ...rest])].slice(0, max)
}
