import { accessSync, constants, statSync } from 'node:fs'
import { relative } from 'node:path'
import type { HookOutputLevel, HooksConfig } from '../config/index.js'
import { execLocal, type LocalExec } from '../local-exec.js'
import type { Logger } from '../log.js'
import { hookEnv, type HookCall, type HookName, type HookRun } from './env.js'

export interface HookRunnerOptions {
  /** The hooks directory, absolute (hooks_path resolved against the app's directory). */
  dir: string
  /** Where hooks run: the app's directory (in the Action, the workspace), as Kamal runs them from its working directory. */
  cwd: string
  /** `--skip-hooks` / the Action's `skip-hooks`: run none. */
  skip: boolean
  output?: HooksConfig['output']
  run: HookRun
  /** The resolved secrets as NAME → value; read only when a hook that gets them runs. */
  secrets: () => Readonly<Record<string, string>>
  /** Takes every secret value out of a hook's output before it is shown. */
  redact: (text: string) => string
  logger: Logger
  /** The one way hooks are started; tests and a future @actions/exec swap pass their own. */
  exec?: LocalExec
  now?: () => Date
  /** When the run began (ms since the epoch): post-deploy's KAMAL_RUNTIME counts from here. */
  startedAt?: number
  /** How often a hook that is still running says so. */
  progressEveryMs?: number
}

/** How many of a failed hook's last output lines go into its error. */
const FAILED_OUTPUT_LINES = 40

/**
 * Runs Kamal's hooks on this machine. Each hook is a file in the hooks directory named after it;
 * a missing file is no hook, an existing one that is not executable warns and is not run, and a
 * non-zero exit throws an Error naming the hook, with its output (redacted), so the run stops there.
 */
export class HookRunner {
  readonly #o: HookRunnerOptions
  readonly #fired = new Set<HookName>()
  #version: string

  constructor(options: HookRunnerOptions) {
    this.#o = options
    this.#version = options.run.version
  }

  /** The version becomes known after the runner is made (resolved from git, or built). */
  setVersion(version: string): void {
    this.#version = version
  }

  /** Whether `hook` ran (and succeeded) in this run. */
  fired(hook: HookName): boolean {
    return this.#fired.has(hook)
  }

  /** Whether a file for `hook` exists and hooks are not skipped: the hook will run (or warn) when its time comes. */
  present(hook: HookName): boolean {
    return !this.#o.skip && statSync(this.path(hook), { throwIfNoEntry: false }) !== undefined
  }

  path(hook: HookName): string {
    return `${this.#o.dir}/${hook}`
  }

  /** Runs `hook` if it exists; true when it ran. Throws (a plain Error: nobody branches on it) when it fails. */
  async run(hook: HookName, call: Omit<HookCall, 'secrets'>): Promise<boolean> {
    if (!this.present(hook)) return false
    const file = this.path(hook)
    const shown = relative(this.#o.cwd, file) || file
    if (!isExecutableFile(file)) {
      this.#o.logger.warn(`hook ${hook}: ${shown} exists but is not an executable file, so it was not run (Kamal would stop on it). Make it executable (chmod +x ${shown}) or remove it.`)
      return false
    }
    const level = outputLevel(this.#o.output, hook)
    const log = this.#o.logger
    // Kamal's levels: by default the hook's line shows and its output only when verbose (here: the
    // debug level, CUTOVER_DEBUG or the Action's step debug); `verbose` shows it; `quiet` hides both.
    const say = (m: string): void => (level === 'quiet' ? log.debug(m) : log.info(m))
    const sayOutput = (m: string): void => (level === 'verbose' ? log.info(m) : log.debug(m))
    const now = this.#o.now ?? (() => new Date())
    const env = hookEnv(hook, { ...this.#o.run, version: this.#version }, { ...call, secrets: this.#o.secrets() }, now())
    const started = now().getTime()
    say(`running hook ${hook} (${shown}) on this machine`)
    const lines: string[] = []
    const progress = setInterval(() => log.info(`hook ${hook} is still running on this machine (${Math.round((now().getTime() - started) / 1000)}s)`), this.#o.progressEveryMs ?? 10_000)
    let code: number
    try {
      const result = await (this.#o.exec ?? execLocal)([file], {
        cwd: this.#o.cwd,
        env,
        onLine: (line) => {
          const clean = this.#o.redact(line)
          lines.push(clean)
          sayOutput(`${hook}: ${clean}`)
        },
      })
      code = result.code
    } catch (e) {
      throw new Error(this.#o.redact(`hook ${hook} (${shown}) could not be started: ${e instanceof Error ? e.message : String(e)}`))
    } finally {
      clearInterval(progress)
    }
    const took = ((now().getTime() - started) / 1000).toFixed(1)
    if (code !== 0) {
      const tail = lines.slice(-FAILED_OUTPUT_LINES)
      const output = tail.length ? `; its output${lines.length > tail.length ? ` (last ${tail.length} lines)` : ''}:\n${tail.join('\n')}` : '; it printed nothing'
      throw new Error(this.#o.redact(`hook ${hook} (${shown}) failed with exit code ${code} after ${took}s${output}`))
    }
    say(`hook ${hook} finished in ${took}s`)
    this.#fired.add(hook)
    return true
  }

  /** Whole seconds since the run began. */
  runtimeS(): number {
    const now = (this.#o.now ?? (() => new Date()))().getTime()
    return Math.round((now - (this.#o.startedAt ?? now)) / 1000)
  }
}

/** `hooks_output` for one hook: a per-hook entry, else the global level, else none (the logger decides). */
export function outputLevel(output: HooksConfig['output'], hook: HookName): HookOutputLevel | undefined {
  if (output === undefined) return undefined
  return typeof output === 'string' ? output : output[hook]
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
