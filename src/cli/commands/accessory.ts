import * as acc from '../../argv/accessory.js'
import type { AccessoryConfig } from '../../config/index.js'
import { readIfExists } from '../../files.js'
import { AccessoryFileError, prepareAccessory } from '../../engine/accessory-files.js'
import { accessorySpec, bootOnHost, homeOf, outputOnHost, rebootOnHost, removeOnHost, type AccessoryHostContext } from '../../engine/accessory.js'
import { registryLogin, splitCmd } from '../../engine/targets.js'
import { fanOut } from '../../remote/fan-out.js'
import { type CliCommand, configOptions, EXIT, type OptionValues, UsageError } from '../command.js'
import { hostOptions, type Loaded, loadForCli, openSession } from '../context.js'

const ACTIONS = ['boot', 'reboot', 'remove', 'logs', 'details', 'exec'] as const
type Action = (typeof ACTIONS)[number]

interface Row {
  accessory: string
  host: string
  action: string
  error?: string
  /** logs, details, exec: what the host printed. */
  output?: string
  exitCode?: number
}

/** `cutover accessory boot|reboot|remove|logs|details|exec NAME|all`: Kamal's accessories, same names and layout. */
export const accessoryCommand: CliCommand = {
  name: 'accessory',
  summary: 'Boot, reboot, remove, inspect or run a command in an accessory (Kamal’s accessories:); deploy never touches them',
  usage:
    'cutover accessory boot|reboot|remove|logs|details NAME|all, or exec NAME CMD… [--reuse] [-c FILE] [-d DEST] [--hosts H,…] [-n LINES] [--since T] [-y] [--known-hosts FILE] [--ssh-key FILE] [--json]',
  options: {
    ...configOptions,
    ...hostOptions,
    hosts: { type: 'string' },
    lines: { type: 'string', short: 'n' },
    since: { type: 'string' },
    reuse: { type: 'boolean' },
    confirm: { type: 'boolean', short: 'y' },
    json: { type: 'boolean' },
  },
  positionals: true,
  async run({ values, positionals }, io) {
    const [action, name, ...rest] = positionals as [string | undefined, string | undefined, ...string[]]
    if (!ACTIONS.includes(action as Action) || !name) throw new UsageError(`say what to do and to which accessory: accessory ${ACTIONS.join('|')} NAME (or all)`)
    if (action === 'exec' && (name === 'all' || rest.length === 0)) throw new UsageError('exec runs a command in one accessory: accessory exec NAME CMD…')
    if (action !== 'exec' && rest.length > 0) throw new UsageError(`unexpected words after the accessory name: ${rest.join(' ')}`)
    if (action === 'remove' && !values.confirm) throw new UsageError('this stops and deletes the accessory, its image, files and directories on its hosts: pass -y (or --confirm) to go ahead')
    const lines = parseLines(values)
    const loaded = loadForCli(values, io, 'accessory')
    const chosen = pick(loaded, name)
    const only = typeof values.hosts === 'string' ? values.hosts.split(',').map((h) => h.trim()).filter(Boolean) : []
    const session = openSession(loaded, values, io)
    const rows: Row[] = []
    try {
      for (const a of chosen) {
        const hosts = a.hosts.filter((h) => only.length === 0 || only.includes(h.host)).map((h) => ({ name: h.host }))
        if (hosts.length === 0) throw new UsageError(`--hosts ${only.join(',')}: accessory ${a.name} runs on ${a.hosts.map((h) => h.host).join(', ')}`)
        const prepared = action === 'boot' || action === 'reboot' ? prepare(a, loaded, io) : undefined
        if (action === 'reboot') loaded.logger.warn(`accessory reboot is NOT zero-downtime: ${a.serviceName} is stopped, removed and started again on ${hosts.map((h) => h.name).join(', ')}`)
        const registry = a.image.startsWith(`${loaded.config.registry.server}/`) ? registryLogin(loaded.config, loaded.secrets) : null
        const outcomes = await fanOut(hosts, loaded.logger.child(a.name), async ({ name: host }, log): Promise<Omit<Row, 'host' | 'accessory'>> => {
          const ctx: AccessoryHostContext = { host: await session.host(host), log, config: loaded.config, registry }
          switch (action as Action) {
            case 'boot':
              return { action: await bootOnHost(ctx, a, prepared!) }
            case 'reboot':
              return { action: await rebootOnHost(ctx, a, prepared!) }
            case 'remove':
              return { action: await removeOnHost(ctx, a) }
            case 'details':
              return shown('details', await outputOnHost(ctx, acc.details(a.serviceName), 'docker ps'))
            case 'logs':
              return shown('logs', await outputOnHost(ctx, acc.logs(a.serviceName, { ...lines, ...(typeof values.since === 'string' ? { since: values.since } : {}) }), `docker logs ${a.serviceName}`))
            case 'exec': {
              // One word is a command line to split (`exec db "mysql -e 'select 1'"`); several are argv already.
              const cmd = rest.length === 1 ? splitCmd(rest[0]!, a.name, 'exec') : rest
              const argv = values.reuse ? acc.execReuse(a.serviceName, cmd) : acc.execNew(accessorySpec(a, { service: loaded.config.service, destination: loaded.config.destination ?? null }, await homeOf(ctx.host)), cmd)
              return shown('exec', await outputOnHost(ctx, argv, `exec in ${a.serviceName}`))
            }
          }
        })
        for (const o of outcomes) rows.push(o.ok ? { accessory: a.name, host: o.host, ...o.value } : { accessory: a.name, host: o.host, action: 'failed', error: o.error.message })
      }
    } finally {
      await session.close()
    }
    print(rows, Boolean(values.json), io)
    return rows.some((r) => r.action === 'failed' || (r.exitCode ?? 0) !== 0) ? EXIT.failure : EXIT.ok
  },
}

const shown = (action: string, r: { code: number; output: string }): Omit<Row, 'host' | 'accessory'> => ({ action, output: r.output, exitCode: r.code })

function parseLines(values: OptionValues): { lines?: number } {
  if (values.lines === undefined) return {}
  const n = Number(values.lines)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--lines ${String(values.lines)}: expected a whole number of lines, at least 1`)
  return { lines: n }
}

function pick(loaded: Loaded, name: string): AccessoryConfig[] {
  const all = loaded.config.accessories ?? []
  if (all.length === 0) throw new UsageError(`${loaded.config.files[0] ?? 'the config'} has no accessories: section`)
  if (name === 'all') return all
  const found = all.find((a) => a.name === name)
  if (!found) throw new UsageError(`no accessory ${JSON.stringify(name)} under accessories: in ${loaded.config.files[0] ?? 'the config'}; it has ${all.map((a) => a.name).join(', ')} (or say all)`)
  return [found]
}

function prepare(a: AccessoryConfig, loaded: Loaded, io: Parameters<CliCommand['run']>[1]) {
  try {
    const p = prepareAccessory(a, loaded.secrets, { cwd: io.cwd, env: io.env, readFile: readIfExists })
    for (const w of p.warnings) loaded.logger.warn(w)
    return p
  } catch (e) {
    // A file or template problem is the user's to fix: said as a usage-level error, no stack.
    if (e instanceof AccessoryFileError) throw new UsageError(e.message)
    throw e
  }
}

/** Per host: `[host] accessory: action`, then its output with every line under the host's name. */
function print(rows: Row[], json: boolean, io: Parameters<CliCommand['run']>[1]): void {
  if (json) {
    io.stdout(`${JSON.stringify({ ok: !rows.some((r) => r.action === 'failed' || (r.exitCode ?? 0) !== 0), accessories: rows }, null, 2)}\n`)
    return
  }
  for (const r of rows) {
    const status = r.action === 'failed' ? `failed: ${r.error}` : r.exitCode !== undefined && r.exitCode !== 0 ? `${r.action} (exit ${r.exitCode})` : r.action
    if (r.output === undefined || r.action === 'failed') io.stdout(`[${r.host}] ${r.accessory}: ${status}\n`)
    else io.stdout(r.output.replace(/\n$/, '').split('\n').map((l) => `[${r.host}] ${l}\n`).join('') + (r.exitCode ? `[${r.host}] ${r.accessory}: ${status}\n` : ''))
  }
}
