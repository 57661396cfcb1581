import { resolve } from 'node:path'
import { FileReadError, readIfExists } from '../files.js'
import type { RunCommand } from '../secrets/dotenv.js'
import { loadSecrets, type SecretHints, type SecretUse } from '../secrets/load.js'
import type { Secrets } from '../secrets/secrets.js'
import { type ConfigError, ConfigErrors, type ConfigWarning, sortProblems } from './errors.js'
import { issuesToErrors } from './issues.js'
import { type Collector, normalize } from './normalize/index.js'
import { rootSchema } from './schema/root.js'
import type { DeployConfig } from './types.js'
import { deepMerge, locate, mergeSources, parseYamlConfig, type SourceMap } from './yaml.js'

export interface LoadOptions {
  /** Default config/deploy.yml, relative to cwd. */
  configFile?: string
  /** `-d DEST`: merges config/deploy.DEST.yml over the base and reads .kamal/secrets.DEST. */
  destination?: string
  /** Default process.cwd(); config and secrets paths are relative to it, and `$(…)` runs in it. */
  cwd?: string
  /** Default process.env: `$VAR` in secrets files and the no-secrets-file fallback read it. */
  env?: Record<string, string | undefined>
  /** For tests: read a file (absolute path), undefined when it does not exist. */
  readFile?: (absolutePath: string) => string | undefined
  /** For tests: how `$(…)` runs. Default `sh -c` in cwd. */
  runCommand?: RunCommand
  /**
   * Registry credentials given outside the config (the Action's `registry-username` and
   * `registry-password` inputs). They replace registry.username / registry.password, so the
   * secrets those keys name need not be set. The password is kept as the secret `password.name`
   * (the name error messages show, e.g. "registry-password input") and redacted like any other.
   */
  registryOverride?: { username?: string; password?: { name: string; value: string } }
  /**
   * Which secrets this run resolves (default `all`). Resolving a secret can fail (not set) or run
   * a command (`$(…)` in .kamal/secrets), so a run resolves only what it uses:
   * - `all`: every secret the config names (`cutover config`, which checks them all);
   * - `production`: deploy, rollback, plan: everything but the preview's own env secrets
   *   (`x-cutover.preview.env`), which production never uses: a preview secret that is set only
   *   for preview workflows must not fail a production deploy;
   * - `ssh`: only what reaching the hosts takes (ssh.key_data): removals and the lock, which
   *   neither pull an image nor write an env file;
   * - `preview`: a PR preview: ssh.key_data, the registry credentials, builder.secrets and the
   *   secrets of `x-cutover.preview.env` (production's env secrets only with its `inherit_secrets`);
   * - `accessory`: ssh.key_data, the registry credentials and the accessories' env secrets (which
   *   `all` leaves out: only `cutover accessory` needs them).
   * A secret left out is absent from `secrets`: `Secrets.get` throws for it.
   */
  needs?: SecretNeeds
  /** How the fix for a missing secret is worded, for the caller (the Action names its inputs). */
  secretHints?: SecretHints
  /**
   * A config given as data, not read from a file (config-less deploys: src/config/configless):
   * no file is read and no ERB runs, so a value from a flag is taken literally. `file` names the
   * source in error messages (e.g. "cutover deploy flags").
   */
  data?: { file: string; value: Record<string, unknown> }
}

export type SecretNeeds = 'all' | 'production' | 'ssh' | 'preview' | 'accessory'

export type LoadResult =
  | { ok: true; config: DeployConfig; secrets: Secrets; warnings: ConfigWarning[] }
  | { ok: false; errors: ConfigError[]; warnings: ConfigWarning[] }

export const DEFAULT_CONFIG_FILE = 'config/deploy.yml'
const DESTINATION = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/** Kamal's destination file: `config/deploy.yml` + `staging` → `config/deploy.staging.yml`. */
export function destinationFile(configFile: string, destination: string): string {
  const dot = configFile.lastIndexOf('.')
  const slash = configFile.lastIndexOf('/')
  return dot > slash + 1 ? `${configFile.slice(0, dot)}.${destination}${configFile.slice(dot)}` : `${configFile}.${destination}.yml`
}

/**
 * Reads, validates and resolves the config and its secrets. Never throws for a user mistake:
 * every problem found comes back in `errors`, each with file, key path and line.
 */
export function loadConfig(opts: LoadOptions = {}): LoadResult {
  const file = opts.data?.file ?? opts.configFile ?? DEFAULT_CONFIG_FILE
  const cwd = opts.cwd ?? process.cwd()
  const env = opts.env ?? process.env
  const read = opts.readFile ?? readIfExists
  const dest = opts.destination
  const fail = (errors: ConfigError[], warnings: ConfigWarning[] = []): LoadResult => ({ ok: false, errors: sortProblems(errors), warnings: sortProblems(warnings) })

  if (dest !== undefined && !DESTINATION.test(dest)) {
    return fail([{ file, keyPath: '', message: `destination ${JSON.stringify(dest)} is not a usable name`, expected: 'letters, digits, `_`, `.` or `-` (it names config/deploy.DEST.yml)' }])
  }
  const files = opts.data ? [opts.data.file] : dest !== undefined ? [file, destinationFile(file, dest)] : [file]
  const given = opts.data ? { ok: true as const, value: { data: opts.data.value, sources: new Map(), warnings: [] } } : null
  const parsed = files.map((f, i) => {
    if (given) return given
    let text: string | undefined
    try {
      text = read(resolve(cwd, f))
    } catch (e) {
      if (!(e instanceof FileReadError)) throw e
      return { ok: false as const, errors: [{ file: f, keyPath: '', message: e.reason, expected: 'a Kamal config file' }] }
    }
    if (text === undefined) {
      return {
        ok: false as const,
        errors: [{ file: f, keyPath: '', message: 'does not exist', expected: i === 0 ? 'a Kamal config file (pass its path with -c FILE)' : `the destination file for -d ${dest}, next to ${file}` }],
      }
    }
    return parseYamlConfig(f, text, env)
  })
  const errors = parsed.flatMap((p) => (p.ok ? [] : p.errors))
  if (errors.length > 0) return fail(errors)

  let data: Record<string, unknown> = {}
  let sources: SourceMap = new Map()
  for (const p of parsed) {
    if (!p.ok) continue
    data = deepMerge(data, p.value.data)
    sources = mergeSources(sources, p.value.sources)
  }
  const at = (keyPath: string) => locate(sources, keyPath, file)

  if (data.require_destination === true && dest === undefined) {
    errors.push({ ...at('require_destination'), keyPath: 'require_destination', message: 'is true but no destination was given', expected: 'a destination: -d DEST (reads config/deploy.DEST.yml)' })
  }
  const checked = rootSchema.safeParse(data, { reportInput: true })
  if (!checked.success) return fail([...errors, ...issuesToErrors(checked.error.issues, sources, file)])

  const c: Collector = { problems: [], notices: [], uses: [] }
  const normalized = normalize(checked.data, data, files, dest, c)
  const { literals } = normalized
  const config = overrideRegistry(normalized.config, opts.registryOverride, c, literals)
  const erbWarnings = parsed.flatMap((p) => (p.ok ? p.value.warnings : []))
  const warnings: ConfigWarning[] = [...erbWarnings, ...c.notices.map((n) => ({ ...at(n.keyPath), keyPath: n.keyPath, message: n.message }))]
  errors.push(...c.problems.map((p) => ({ ...at(p.keyPath), ...p })))
  if (errors.length > 0) return fail(errors, warnings)

  const { secrets, problems } = loadSecrets(
    {
      cwd,
      secretsPath: config.secretsPath,
      ...(dest !== undefined ? { destination: dest } : {}),
      env,
      ...(opts.runCommand ? { run: opts.runCommand } : {}),
      readFile: read,
      ...(opts.secretHints ? { hints: opts.secretHints } : {}),
    },
    neededUses(c.uses, config, opts.needs ?? 'all'),
    literals,
  )
  for (const p of problems) errors.push(p.file !== undefined ? { file: p.file, line: p.line, keyPath: p.keyPath, message: p.message, expected: p.expected } : { ...at(p.keyPath), ...p })
  if (errors.length > 0) return fail(errors, warnings)
  return { ok: true, config, secrets, warnings: sortProblems(warnings) }
}

/** The secret uses a run resolves (see LoadOptions.needs). */
function neededUses(uses: SecretUse[], config: DeployConfig, needs: SecretNeeds): SecretUse[] {
  const reachHosts = (u: SecretUse) => u.keyPath.startsWith('ssh/key_data/')
  // Accessory secrets are resolved only by `cutover accessory` (as Kamal reads them only there): a
  // deploy must not fail because a database password is not in the deploy job's environment.
  const accessory = (u: SecretUse) => u.keyPath.startsWith('accessories/')
  if (needs === 'accessory') return uses.filter((u) => reachHosts(u) || /^registry\/(username|password)\//.test(u.keyPath) || accessory(u))
  if (needs === 'all') return uses.filter((u) => !accessory(u))
  if (needs === 'production') return uses.filter((u) => !accessory(u) && !/^(x-cutover\/)?preview\//.test(u.keyPath))
  if (needs === 'ssh') return uses.filter(reachHosts)
  // preview.env already holds production's secret env when (and only when) inherit_secrets is set.
  const previewEnv = new Set(config.preview?.env.secret.map((s) => s.secret) ?? [])
  return uses.filter((u) => reachHosts(u) || /^(registry\/(username|password)|builder\/secrets)\//.test(u.keyPath) || previewEnv.has(u.name))
}

/** registryOverride: the given credentials replace the config's, and the secrets it named are no longer needed. */
function overrideRegistry(config: DeployConfig, o: LoadOptions['registryOverride'], c: Collector, literals: Map<string, string>): DeployConfig {
  if (!o || (o.username === undefined && o.password === undefined)) return config
  const replaced = new Set([...(o.username !== undefined ? ['registry/username/0'] : []), ...(o.password !== undefined ? ['registry/password/0'] : [])])
  c.uses = c.uses.filter((u) => !replaced.has(u.keyPath))
  if (o.password !== undefined) literals.set(o.password.name, o.password.value)
  return {
    ...config,
    registry: {
      ...config.registry,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: { secret: o.password.name } } : {}),
    },
  }
}

/** loadConfig for callers that prefer an exception; ConfigErrors carries every error. */
export function loadConfigOrThrow(opts: LoadOptions = {}): { config: DeployConfig; secrets: Secrets; warnings: ConfigWarning[] } {
  const r = loadConfig(opts)
  if (!r.ok) throw new ConfigErrors(r.errors)
  return r
}
