import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { stringify } from 'yaml'
import { machineDockerConfig } from '../../testbed/registry.js'
import { testbed } from '../testbed.js'
import { cutover, startCutover, type CliRun, type RunningCli } from './cli.js'
import { hosts, type HostReader } from './hosts.js'

/**
 * One test file's app on the testbed: its own service name, image repository and proxy host
 * (unique per file and per run, so runs and other work on the same hosts never collide), a
 * project directory holding config/deploy.yml, and the bundled CLI run against it.
 */

const HELLO = resolve(import.meta.dirname, '../../../examples/hello')
/** Short, DNS- and name-safe, unique per run. */
const runId = `${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}`

export interface AppSettings {
  clear?: Record<string, string>
  /** Secret env: name → value. Values reach the CLI as env vars (no .kamal/secrets file). */
  secrets?: Record<string, string>
  /** Kamal's deploy_timeout: how long a new container gets to answer /up. */
  deployTimeout?: number
  /** The top-level `x-cutover:` map, as written in deploy.yml. */
  xCutover?: Record<string, unknown>
  /** More `servers/web/hosts` entries after the testbed's (e.g. one nothing answers on). */
  extraHosts?: string[]
}

export type ImageKind = 'hello' | 'broken' | 'crash-after-healthy'

export class TestApp {
  readonly service: string
  /** `image:` in deploy.yml (the registry server is prepended by the config). */
  readonly image: string
  readonly repository: string
  readonly proxyHost: string
  readonly proxyService: string
  readonly dir: string
  readonly traceFile: string
  private settings: AppSettings = {}

  constructor(tag: string) {
    this.service = `e2e-${tag}-${runId}`
    this.image = `cutover-e2e/${this.service}`
    this.repository = `${testbed.registry.server}/${this.image}`
    this.proxyHost = `${this.service}.e2e.test`
    this.proxyService = `${this.service}-web`
    this.dir = mkdtempSync(join(tmpdir(), `cutover-${this.service}-`))
    this.traceFile = join(this.dir, 'trace.jsonl')
  }

  /** (Re)write config/deploy.yml for these settings. */
  configure(settings: AppSettings): void {
    this.settings = settings
    const config = {
      service: this.service,
      image: this.image,
      servers: { web: { hosts: [...hosts.map((h) => h.address), ...(settings.extraHosts ?? [])] } },
      proxy: { host: this.proxyHost, app_port: 80, healthcheck: { path: '/up', interval: 1, timeout: 2 } },
      registry: { server: testbed.registry.server, username: testbed.registry.username, password: ['KAMAL_REGISTRY_PASSWORD'] },
      ssh: { user: testbed.ssh.user },
      env: { clear: settings.clear ?? {}, secret: Object.keys(settings.secrets ?? {}) },
      deploy_timeout: settings.deployTimeout ?? 30,
      // Old containers are stopped only after kamal-proxy drained them; these apps answer at once.
      drain_timeout: 5,
      ...(settings.xCutover ? { 'x-cutover': settings.xCutover } : {}),
    }
    mkdirSync(join(this.dir, 'config'), { recursive: true })
    writeFileSync(join(this.dir, 'config/deploy.yml'), stringify(config))
  }

  /**
   * Build `repository:version` on the machine's engine FROM the testbed's base image and push it.
   * hello: examples/hello (serves /up and /version). broken: prints its environment and a marker,
   * then never listens, so /up never answers. `labels`: image labels (Kamal refuses to run an image
   * without its `service` label, which its own builder adds).
   */
  buildImage(version: string, kind: ImageKind = 'hello', labels: Record<string, string> = {}): void {
    const ref = `${this.repository}:${version}`
    const context = kind === 'hello' ? HELLO : kind === 'broken' ? this.brokenContext() : this.crashContext()
    const docker = (...args: string[]) =>
      execFileSync('docker', ['--config', machineDockerConfig, ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])
    docker('build', '-q', '--build-arg', `BASE=${testbed.baseImage}`, '--build-arg', `VERSION=${version}`, ...labelArgs, '-t', ref, context)
    docker('push', '-q', ref)
  }

  private brokenContext(): string {
    return this.dockerfileContext('broken-image', [
      // Prints every env var (secrets included: the deploy must redact them in the log tail),
      // then idles without listening. Exits on TERM so `docker rm -f`/stop are quick.
      `CMD ["sh", "-c", "echo broken-app: starting; env; echo broken-app: not listening on purpose; trap 'exit 0' TERM INT; while :; do sleep 1; done"]`,
    ])
  }

  /** A build context in this app's directory: a Dockerfile FROM the testbed's base image, then `lines`. */
  private dockerfileContext(name: string, lines: string[]): string {
    const dir = join(this.dir, name)
    if (!existsSync(dir)) {
      mkdirSync(dir)
      writeFileSync(join(dir, 'Dockerfile'), ['ARG BASE', 'FROM ${BASE}', ...lines, ''].join('\n'))
    }
    return dir
  }

  /**
   * Serves /up and /version like hello (so kamal-proxy's health check passes and traffic
   * switches), then exits with code 3 about 3 s after it started: the crash after healthy.
   */
  private crashContext(): string {
    return this.dockerfileContext('crash-image', [
      'ARG VERSION=dev',
      'RUN mkdir -p /www && echo ok > /www/up && echo "$VERSION" > /www/version',
      `CMD ["sh", "-c", "httpd -f -p 80 -h /www & sleep 3; echo crash-app: exiting on purpose; exit 3"]`,
    ])
  }

  /** The CLI's environment: registry password and secret values, a known performer, the trace file. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      KAMAL_REGISTRY_PASSWORD: testbed.registry.password,
      ...(this.settings.secrets ?? {}),
      USER: `e2e-${this.service}`,
      CUTOVER_TRACE_FILE: this.traceFile,
      ...extra,
    }
  }

  private args(command: string[]): string[] {
    return [...command, '-c', 'config/deploy.yml', '--known-hosts', testbed.ssh.knownHostsPath, '--ssh-key', testbed.ssh.keyPath]
  }

  /** `cutover deploy --skip-build --skip-gate --version V --json`: the image is in the registry; no CI gate here. */
  deploy(version: string, extraEnv: Record<string, string> = {}): Promise<DeployRun> {
    return this.startDeploy(version, extraEnv).done.then(withJson)
  }

  startDeploy(version: string, extraEnv: Record<string, string> = {}): RunningCli {
    return startCutover(this.args(['deploy', '--skip-build', '--skip-gate', '--version', version, '--json']), { cwd: this.dir, env: this.env(extraEnv), timeoutMs: 180_000 })
  }

  /** `cutover rollback V --json`: the same zero-downtime path, no build, a retained container reused. */
  rollback(version: string): Promise<DeployRun> {
    return cutover(this.args(['rollback', version, '--json']), { cwd: this.dir, env: this.env(), timeoutMs: 180_000 }).then(withJson)
  }

  run(command: string[]): Promise<CliRun> {
    return this.runWithEnv(command, {})
  }

  runWithEnv(command: string[], extraEnv: Record<string, string>): Promise<CliRun> {
    return cutover(this.args(command), { cwd: this.dir, env: this.env(extraEnv), timeoutMs: 60_000 })
  }

  /** Every command string the CLI sent over SSH so far (CUTOVER_TRACE_FILE). */
  trace(): TraceLine[] {
    if (!existsSync(this.traceFile)) return []
    return readFileSync(this.traceFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as TraceLine)
  }

  clearTrace(): void {
    rmSync(this.traceFile, { force: true })
  }

  /** Values that must never appear in output, JSON or traces: every secret, the registry password. */
  secretValues(): string[] {
    return [testbed.registry.password, ...Object.values(this.settings.secrets ?? {})]
  }

  /** Remove everything of this app: on the hosts, in the machine's engine, and the project dir. */
  async cleanup(reader: HostReader): Promise<void> {
    await reader.cleanup(this.service, this.repository)
    const tags = execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', this.repository], { encoding: 'utf8' }).split('\n').filter(Boolean)
    if (tags.length > 0) execFileSync('docker', ['image', 'rm', ...tags], { stdio: 'ignore' })
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export interface TraceLine {
  host: string
  command: string
  redacted?: true
}

export interface HostJson {
  host: string
  role: string
  action: string
  container?: string
  durationMs: number
  error?: string
  rolledBack?: boolean
  changes?: string[]
}

export interface DeployJson {
  version: string
  image: string
  changed: boolean
  hosts: HostJson[]
}

export type DeployRun = CliRun & { json: DeployJson | null }

function withJson(run: CliRun): DeployRun {
  let json: DeployJson | null = null
  try {
    json = JSON.parse(run.stdout) as DeployJson
  } catch {
    json = null
  }
  return { ...run, json }
}

/** A short account of a run for assertion messages. */
export const describeRun = (r: CliRun): string => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} in ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
