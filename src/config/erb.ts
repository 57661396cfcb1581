import type { ConfigError, ConfigWarning } from './errors.js'

/**
 * Kamal renders config/deploy.yml through ERB before it reads the YAML. cutover evaluates the small
 * subset real configs use, from the environment, and refuses everything else (it runs no Ruby):
 *
 *   <%= ENV["X"] %>  <%= ENV['X'] %>      X's value; unset reads as "" (Ruby's nil.to_s), with a warning
 *   <%= ENV.fetch("X") %>                X's value; unset is an error naming X (Ruby raises KeyError)
 *   <%= ENV.fetch("X", "default") %>     X's value, or the default when X is unset
 *   <%= "text" %>  <%= 'text' %>         the text
 *
 * Kamal renders without ERB's trim mode, so `-%>` is not a closing form there and is refused here. A tag must open and close on
 * one line, and a value must not hold a newline: either would move the lines below it, and every
 * error names a line. Lines that are YAML comments are left alone (Kamal's own template keeps ERB
 * examples in comments; cutover never evaluates them).
 */
export const ERB_SUPPORTED =
  'one of the ERB forms cutover evaluates: <%= ENV["NAME"] %>, <%= ENV.fetch("NAME") %>, <%= ENV.fetch("NAME", "default") %> ' +
  `(single quotes work too) or a string literal <%= "text" %>; for anything computed, put it in .kamal/secrets (e.g. \`NAME=$(command)\`) ` +
  'and name it under env/secret or registry/password, or put per-environment values in config/deploy.DEST.yml'

export interface ErbResult {
  text: string
  errors: ConfigError[]
  warnings: ConfigWarning[]
}

type Env = Readonly<Record<string, string | undefined>>

// A Ruby string literal without escapes or interpolation: what config files put in these forms.
const STR = String.raw`(?:"([^"\\#]*)"|'([^'\\]*)')`
const FORMS: { re: RegExp; eval: (m: RegExpExecArray, env: Env) => { value: string } | { missing: string } | { unset: string } }[] = [
  { re: new RegExp(String.raw`^ENV\[\s*${STR}\s*\]$`), eval: (m, env) => read(env, name(m, 1)) ?? { unset: name(m, 1) } },
  { re: new RegExp(String.raw`^ENV\.fetch\(\s*${STR}\s*\)$`), eval: (m, env) => read(env, name(m, 1)) ?? { missing: name(m, 1) } },
  { re: new RegExp(String.raw`^ENV\.fetch\(\s*${STR}\s*,\s*${STR}\s*\)$`), eval: (m, env) => read(env, name(m, 1)) ?? { value: name(m, 3) } },
  { re: new RegExp(`^${STR}$`), eval: (m) => ({ value: name(m, 1) }) },
]
const name = (m: RegExpExecArray, group: number): string => m[group] ?? m[group + 1] ?? ''
const read = (env: Env, key: string): { value: string } | undefined => {
  const v = Object.hasOwn(env, key) ? env[key] : undefined
  return v === undefined ? undefined : { value: v }
}

/** Evaluates the supported ERB forms line by line; every refusal names file and line. */
export function renderErb(file: string, text: string, env: Env): ErbResult {
  const errors: ConfigError[] = []
  const warnings: ConfigWarning[] = []
  const lines = text.split(/(?<=\n)/)
  const out = lines.map((raw, i) => {
    const line = i + 1
    if (!raw.includes('<%') || /^\s*#/.test(raw)) return raw
    const fail = (message: string, expected = ERB_SUPPORTED): string => {
      errors.push({ file, keyPath: '', line, message, expected })
      return raw
    }
    let rendered = ''
    let rest = raw
    for (let open = rest.indexOf('<%'); open >= 0; open = rest.indexOf('<%')) {
      rendered += rest.slice(0, open)
      const close = rest.indexOf('%>', open + 2)
      if (close < 0) return fail('contains an ERB tag (`<%`) that does not close on the same line')
      const tag = rest.slice(open, close + 2)
      rest = rest.slice(close + 2)
      if (!tag.startsWith('<%=')) return fail(`contains ERB code \`${shown(tag)}\`, which cutover does not run`)
      const expr = tag.slice(3, -2).trim()
      const form = FORMS.map((f) => ({ f, m: f.re.exec(expr) })).find((x) => x.m)
      if (!form) return fail(`contains the ERB expression \`${shown(tag)}\`, which cutover does not evaluate`)
      const r = form.f.eval(form.m!, env)
      if ('missing' in r) {
        return fail(`ENV.fetch("${r.missing}"): the environment variable ${r.missing} is not set`, `${r.missing} set in the environment, or a default: <%= ENV.fetch("${r.missing}", "default") %>`)
      }
      let value: string
      if ('unset' in r) {
        warnings.push({ file, keyPath: '', line, message: `ENV["${r.unset}"]: the environment variable ${r.unset} is not set, so it reads as an empty string (as in Kamal); use ENV.fetch("${r.unset}") to make it required` })
        value = ''
      } else value = r.value
      if (/[\r\n]/.test(value)) return fail(`${shown(tag)} gives a value with a line break`, 'a one-line value (put multi-line values in .kamal/secrets and name them under env/secret)')
      rendered += value
    }
    return rendered + rest
  })
  return { text: out.join(''), errors, warnings }
}

/** The tag as written, cut short: it names variables, never their values. */
const shown = (tag: string): string => (tag.length > 80 ? `${tag.slice(0, 77)}…` : tag)
