/**
 * The forms a secret value takes on its way into output, so redaction (redact.ts) and the Action's
 * `::add-mask::` (action/mask.ts) can catch each of them. An app, a library or docker itself may
 * print a secret raw, JSON-escaped, URL-encoded, in hex, or in base64 (an auth header, a config
 * blob, a log line encoded by the app); a multi-line secret (a PEM key) is often printed a line at
 * a time.
 */

/**
 * THE minimum length rule, shared by redaction and masks: a value (or a line of one) shorter than
 * this is not masked in text.
 *
 * Why that is safe: a value of 1 to 3 characters has so few possibilities (under 100^3, about
 * 20 bits, enumerable in milliseconds) that hiding it protects nothing an attacker could not
 * guess; it is not a credential but a setting put in a secret (a port digit, `1`, `on`). Masking
 * it would, however, star out every occurrence of that text in every log line (a secret `1` turns
 * every `1` into `***`), destroying the log people need to see why a deploy failed, and would
 * give a false sense that the value is protected. So such values are left as they are, and the
 * user is warned once (see shortSecretsWarning) so that a real credential this short is noticed.
 */
export const MIN_SECRET_LENGTH = 4

/** PEM armor lines (`-----BEGIN … KEY-----`) are public syntax, the same in every key. */
const PEM_ARMOR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/

/** The value itself and, for a multi-line value, each line long enough to count (armor excepted). */
export function secretPieces(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return []
  const out = new Set<string>([value])
  if (/[\r\n]/.test(value)) {
    for (const raw of value.split(/\r?\n|\r/)) {
      const line = raw.trim()
      if (line.length >= MIN_SECRET_LENGTH && !PEM_ARMOR.test(line)) out.add(line)
    }
  }
  return [...out]
}

const toUrl = (b64: string): string => b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/**
 * The base64 characters that depend only on `bytes` when they sit `offset` bytes (0, 1 or 2)
 * into a longer base64 stream. Character i covers bits [6i, 6i+6) of the stream; it is fixed by
 * the value alone when that range lies inside the value's bits [8·offset, 8·(offset+n)). The
 * characters at both ends mix in the neighbouring bytes and are left out.
 */
export function base64Core(bytes: Buffer, offset: 0 | 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(2)]).toString('base64')
  const first = Math.ceil((8 * offset) / 6)
  const end = Math.floor((8 * (offset + bytes.length)) / 6)
  return end > first ? encoded.slice(first, end) : ''
}

/** Every derived form of a value, the value itself first. */
const formEncoded = (piece: string): string => new URLSearchParams({ v: piece }).toString().slice(2)

function formsOfPiece(piece: string): string[] {
  const bytes = Buffer.from(piece, 'utf8')
  const hex = bytes.toString('hex')
  const b64 = bytes.toString('base64')
  const url = encodeURIComponent(piece)
  const json = JSON.stringify(piece).slice(1, -1)
  const forms = [
    piece,
    json,
    // Go's encoding/json and many HTML-safe encoders escape <, > and & as \u003c etc.
    json.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
    url,
    url.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    // application/x-www-form-urlencoded (URLSearchParams, HTML forms): spaces as +, and ! ' ( ) *
    // escaped too, which encodeURIComponent leaves as they are.
    url.replace(/%20/g, '+'),
    formEncoded(piece),
    formEncoded(piece).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    hex,
    hex.toUpperCase(),
    b64,
    toUrl(b64),
  ]
  // Inside a longer base64 stream the value's encoding depends on where it starts (3 alignments).
  for (const offset of [0, 1, 2] as const) {
    const core = base64Core(bytes, offset)
    if (core.length >= MIN_SECRET_LENGTH) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return forms
}

/**
 * Every text to hide for a secret value: the value in each form, then each line of a multi-line
 * value as it is (a log prints a key line by line; a line is not encoded on its own). Empty for
 * a value shorter than MIN_SECRET_LENGTH.
 */
export function secretForms(value: string): string[] {
  const [whole, ...lines] = secretPieces(value)
  if (whole === undefined) return []
  return [...new Set([...formsOfPiece(whole), ...lines].filter((form) => form.length >= MIN_SECRET_LENGTH))]
}

/** One warning naming the secrets too short to mask (none: null). Say it once per run. */
export function shortSecretsWarning(named: Iterable<readonly [string, string]>): string | null {
  const short = [...named].filter(([, v]) => v !== '' && v.length < MIN_SECRET_LENGTH).map(([n]) => n)
  if (short.length === 0) return null
  return (
    `secret${short.length === 1 ? '' : 's'} ${short.join(', ')} ${short.length === 1 ? 'is' : 'are'} shorter than ${MIN_SECRET_LENGTH} characters, ` +
    `so ${short.length === 1 ? 'it is' : 'they are'} not masked in logs (masking would star out that text everywhere, and a value that short is guessable anyway); ` +
    'if it is a credential, make it longer'
  )
}
