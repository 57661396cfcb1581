import { resolve } from 'node:path'
import { FileReadError, readIfExists } from '../files.js'
import { type DotenvEntry, envValue, parseDotenv, type RunCommand, shellRunner } from './dotenv.js'
import { Secrets } from './secrets.js'

/** Where a config key names a secret (`env/secret/0` names DB_PASSWORD). */
export interface SecretUse {
  name: string
  keyPath: string
}

export interface SecretsSource {
  cwd: string
  /** Kamal's secrets_path, default `.kamal/secrets`, relative to cwd. */
  secretsPath: string
  destination?: string
  env: Record<string, string | undefined>
  run?: RunCommand
  readFile?: (absolutePath: string) => string | undefined
  /** How the fix for a missing secret is worded; the Action names its own inputs. */
  hints?: SecretHints
}

/** The "expected" part of a missing-secret error, worded for where cutover runs. */
export interface SecretHints {
  /** How the user sets the environment variable `name`. Default: "the environment variable NAME". */
  env?: (name: string) => string
  /** Another way to give what the key at `keyPath` needs (the Action: registry/password/0 → its `registry-password` input). */
  instead?: (keyPath: string) => string | undefined
}

/** A problem inside a secrets file (file and line), or with a config key's secret (key path). */
export interface SecretProblem {
  file?: string
  line?: number
  keyPath: string
  message: string
  expected: string
}

/** Kamal 2's order: `<path>-common`, then `<path>` or, with a destination, `<path>.<dest>`; later files win. */
export function secretsFiles(secretsPath: string, destination?: string): string[] {
  return [`${secretsPath}-common`, destination ? `${secretsPath}.${destination}` : secretsPath]
}

/**
 * Resolves the secrets the config names. Files are read only when something is named, since
 * reading them can run commands. With no secrets file at all, each name falls back to the
 * environment variable of that name: the CI-native path. `literals` are credentials written in
 * the config itself (a literal registry password), kept here so they are redacted like the rest.
 */
export function loadSecrets(src: SecretsSource, uses: readonly SecretUse[], literals: ReadonlyMap<string, string> = new Map()): { secrets: Secrets; problems: SecretProblem[] } {
  const problems: SecretProblem[] = []
  const values = new Map<string, string>(literals)
  if (uses.length === 0) return { secrets: new Secrets(values), problems }

  const read = src.readFile ?? readIfExists
  const run = src.run ?? shellRunner(src.cwd)
  const envHint = src.hints?.env ?? ((name: string) => `the environment variable ${name}`)
  const instead = (keyPath: string): string => {
    const other = src.hints?.instead?.(keyPath)
    return other ? `${other}, or ` : ''
  }
  const candidates = secretsFiles(src.secretsPath, src.destination)
  const found = candidates.flatMap((file) => {
    try {
      const text = read(resolve(src.cwd, file))
      return text === undefined ? [] : [{ file, text }]
    } catch (e) {
      if (!(e instanceof FileReadError)) throw e
      problems.push({ file, keyPath: '', message: e.reason, expected: 'a dotenv file of NAME=value lines, or nothing at that path' })
      return []
    }
  })
  // Which secrets file applies decides where every value comes from: don't guess past one that cannot be read.
  if (problems.length > 0) return { secrets: new Secrets(values), problems }

  const fromFiles = new Map<string, DotenvEntry & { file: string }>()
  const failed = new Set<string>()
  for (const { file, text } of found) {
    const parsed = parseDotenv(text, { env: src.env, run })
    for (const p of parsed.problems) {
      problems.push({ file, line: p.line, keyPath: p.name ?? '', message: p.message, expected: p.expected })
      if (p.name) failed.add(p.name)
    }
    for (const e of parsed.entries) fromFiles.set(e.name, { ...e, file })
  }
  for (const [name, e] of fromFiles) values.set(name, e.value)

  for (const use of dedupe(uses)) {
    // A line that failed (say, its command exited 1) already has its own error; don't pile on.
    if (failed.has(use.name)) continue
    if (found.length > 0) {
      const e = fromFiles.get(use.name)
      if (!e) {
        problems.push({
          keyPath: use.keyPath,
          message: `names the secret ${use.name}, which is not in ${found.map((f) => f.file).join(' or ')}`,
          expected: `${instead(use.keyPath)}a line ${use.name}=… in ${found[found.length - 1]!.file} (${use.name}=$${use.name} reads ${envHint(use.name)})`,
        })
      } else if (e.value === '' && e.unset.length > 0) {
        problems.push({
          keyPath: use.keyPath,
          message: `names the secret ${use.name}, which is empty: ${e.file}:${e.line} reads ${e.unset.map((v) => `$${v}`).join(', ')}, which is not set`,
          expected: `${instead(use.keyPath)}a value for ${e.unset.map(envHint).join(' and ')}`,
        })
      }
      continue
    }
    const value = envValue(src.env, use.name)
    if (value === undefined || value === '') {
      problems.push({
        keyPath: use.keyPath,
        message:
          value === undefined
            ? `names the secret ${use.name}, which is not set: there is no secrets file (${candidates.join(', ')}) and no environment variable ${use.name}`
            : `names the secret ${use.name}, but the environment variable ${use.name} is empty (an unset GitHub secret reads as empty)`,
        expected: `${instead(use.keyPath)}${envHint(use.name)}, or a line ${use.name}=… in ${candidates[candidates.length - 1]}`,
      })
    } else {
      values.set(use.name, value)
    }
  }
  return { secrets: new Secrets(values), problems }
}

/** The first use of each name is the one an error points at. */
function dedupe(uses: readonly SecretUse[]): SecretUse[] {
  const seen = new Set<string>()
  return uses.filter((u) => !seen.has(u.name) && seen.add(u.name))
}
