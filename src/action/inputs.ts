import { commandWords } from '../argv/command-words.js'
import { TAG_PATTERN } from '../argv/names.js'
import { GATE_DEFAULTS } from '../gate/index.js'
import type { ConfiglessSpec } from '../config/configless/spec.js'
import { readConfigless } from './configless-inputs.js'
import { masked, registryAuthForms } from './mask.js'
import { parseSecrets } from './secrets-input.js'

export const COMMANDS = ['deploy', 'rollback', 'remove', 'preview-deploy', 'preview-remove', 'plan', 'exec'] as const
export type ActionCommand = (typeof COMMANDS)[number]

/** Check-run conclusions GitHub knows (checks API); anything else is a typo. */
const CONCLUSIONS = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out']

export interface ActionInputs {
  command: ActionCommand
  configFile: string
  destination?: string
  version?: string
  sshPrivateKey?: string
  knownHosts: string
  registry?: { username?: string; password?: string }
  githubToken: string
  gate: {
    /** From `wait-for-checks`; undefined means the command's default (see gateEnabled). */
    enabled?: boolean
    checks: string[]
    allowedConclusions: string[]
    timeoutMs: number
  }
  skipBuild: boolean
  skipPush: boolean
  /** `break-stale-lock`: break a stale deploy lock (engine/lock.ts). */
  breakStaleLock: boolean
  /** `allow-unreachable-hosts`: go on without hosts that cannot be reached (default false: all or nothing). */
  allowUnreachable: boolean
  /** `skip-hooks`: run none of Kamal's hooks. */
  skipHooks: boolean
  /** NAME=value pairs of the `secrets` input. */
  secrets: Record<string, string>
  /** `pr-number`: the PR a preview is for, when the event does not say (workflow_run, workflow_dispatch). */
  prNumber?: number
  /** Set when the `image` input is: a config-less deploy (configless-inputs.ts); no config file is read. */
  configless?: ConfiglessSpec
  /** `max-connections`: at most this many SSH connections open at once (remote/bound.ts); unset: the config's. */
  maxConnections?: number
  /** `command: exec`: the command's words (input `exec`). */
  exec?: string[]
}

/** Every problem with the inputs at once, each naming the input and the fix. Never holds a secret value. */
export class InputError extends Error {
  override name = 'InputError'
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems with the inputs:\n${problems.map((p) => `- ${p}`).join('\n')}`)
  }
}

/** `core.getInput` (trimmed; '' when unset), and `core.setSecret`. */
export interface InputReader {
  get(name: string): string
  setSecret(value: string): void
}

/** Inputs whose values are secret: read and masked before anything else happens. */
export const SECRET_INPUTS = ['ssh-private-key', 'registry-password', 'github-token', 'secrets'] as const

/**
 * Reads and checks every input. Secret inputs (and values derived from them) are registered
 * with the masker first, before any validation, so no later line can show them unmasked.
 */
export function readInputs(input: InputReader): ActionInputs {
  const secret = Object.fromEntries(SECRET_INPUTS.map((n) => [n, masked(input.setSecret, input.get(n))])) as Record<(typeof SECRET_INPUTS)[number], string>
  const parsedSecrets = parseSecrets(secret.secrets)
  for (const value of Object.values(parsedSecrets.values)) masked(input.setSecret, value)
  const registryUsername = input.get('registry-username')
  if (secret['registry-password']) for (const v of registryAuthForms(registryUsername || undefined, secret['registry-password'])) input.setSecret(v)

  const problems: string[] = parsedSecrets.problems.map((p) => `Input \`secrets\`, ${p}.`)
  const bool = (name: string, fallback: boolean | undefined): boolean | undefined => {
    const raw = input.get(name)
    if (raw === '') return fallback
    if (/^(true|True|TRUE)$/.test(raw)) return true
    if (/^(false|False|FALSE)$/.test(raw)) return false
    problems.push(`Input \`${name}\` is ${JSON.stringify(raw)}; set it to true or false.`)
    return fallback
  }

  const commandRaw = input.get('command') || 'deploy'
  const command = (COMMANDS as readonly string[]).includes(commandRaw) ? (commandRaw as ActionCommand) : undefined
  if (!command) problems.push(`Input \`command\` is ${JSON.stringify(commandRaw)}; set it to one of: ${COMMANDS.join(', ')}.`)

  const version = input.get('version') || undefined
  if (command === 'rollback' && !version) {
    problems.push('Input `version` is required for `command: rollback`: name the version to go back to (the job summary of a deploy lists the retained versions).')
  }
  if (version !== undefined && !TAG_PATTERN.test(version)) {
    problems.push(`Input \`version\` is ${JSON.stringify(version)}; a version is an image tag: letters, digits, _, . and -, at most 128, not starting with . or -.`)
  }

  // `command: exec`: the one-off command (a migration), split into words as a shell would, without one.
  const execRaw = input.get('exec')
  let exec: string[] | undefined
  if (command === 'exec') {
    try {
      exec = commandWords(execRaw ? [execRaw] : [])
    } catch (e) {
      problems.push(`Input \`exec\` ${execRaw ? `(${JSON.stringify(execRaw)}) ` : ''}is needed for \`command: exec\`: ${(e as Error).message}.`)
    }
  } else if (execRaw) problems.push(`Input \`exec\` is only read by \`command: exec\`; remove it, or set \`command: exec\`.`)

  const destination = input.get('destination') || undefined
  if (destination !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(destination)) {
    problems.push(`Input \`destination\` is ${JSON.stringify(destination)}; use the name of a config/deploy.<destination>.yml file (letters, digits, _, . and -).`)
  }

  const sshPrivateKey = secret['ssh-private-key'] || undefined
  if (sshPrivateKey !== undefined) {
    if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+|sk-\S+) AAAA/.test(sshPrivateKey)) {
      problems.push('Input `ssh-private-key` holds a public key; pass the private key (the file without .pub), e.g. `ssh-private-key: ${{ secrets.SSH_PRIVATE_KEY }}`.')
    } else if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(sshPrivateKey)) {
      problems.push('Input `ssh-private-key` is not a private key (no "-----BEGIN ... PRIVATE KEY-----" line); pass the whole key file, e.g. `ssh-private-key: ${{ secrets.SSH_PRIVATE_KEY }}`.')
    }
  }

  const knownHosts = input.get('known-hosts')
  if (!knownHosts) {
    problems.push('Input `known-hosts` is required: host keys are always verified. Run `cutover known-hosts HOST...` (or `ssh-keyscan HOST`), check the keys, and pass the lines, e.g. `known-hosts: ${{ vars.KNOWN_HOSTS }}`.')
  } else {
    knownHosts.split(/\r?\n/).forEach((line, i) => {
      const t = line.trim()
      if (t && !t.startsWith('#') && t.split(/\s+/).length < 3) {
        problems.push(`Input \`known-hosts\`, line ${i + 1}: expected "HOST KEYTYPE KEY" (known_hosts format), as \`ssh-keyscan HOST\` prints it.`)
      }
    })
  }


  const list = (name: string): string[] => input.get(name).split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== '')
  const allowedConclusions = list('allowed-conclusions').map((c) => c.toLowerCase())
  for (const c of allowedConclusions) {
    if (!CONCLUSIONS.includes(c)) problems.push(`Input \`allowed-conclusions\` has ${JSON.stringify(c)}; use check-run conclusions: ${CONCLUSIONS.join(', ')}.`)
  }
  const timeoutRaw = input.get('gate-timeout')
  const timeoutMs = timeoutRaw === '' ? GATE_DEFAULTS.timeoutMs : parseDuration(timeoutRaw)
  if (timeoutMs === undefined) problems.push(`Input \`gate-timeout\` is ${JSON.stringify(timeoutRaw)}; write a duration such as 30m, 90s, 1h30m or a number of seconds.`)

  const prRaw = input.get('pr-number')
  const prNumber = prRaw === '' ? undefined : Number(prRaw)
  if (prNumber !== undefined && !(Number.isSafeInteger(prNumber) && prNumber > 0)) {
    problems.push(`Input \`pr-number\` is ${JSON.stringify(prRaw)}; pass the pull request number, e.g. \`pr-number: \${{ github.event.pull_request.number }}\`.`)
  }

  const connectionsRaw = input.get('max-connections')
  const maxConnections = connectionsRaw === '' ? undefined : Number(connectionsRaw)
  if (maxConnections !== undefined && !(/^\d+$/.test(connectionsRaw) && Number.isSafeInteger(maxConnections) && maxConnections >= 1)) {
    problems.push(`Input \`max-connections\` is ${JSON.stringify(connectionsRaw)}; pass a whole number of SSH connections, at least 1, e.g. \`max-connections: 8\` (or leave it out for x-cutover.fanout.max_connections, default 30).`)
  }

  const skipBuild = bool('skip-build', false) ?? false
  const skipPush = bool('skip-push', false) ?? false
  const breakStaleLock = bool('break-stale-lock', false) ?? false
  const allowUnreachable = bool('allow-unreachable-hosts', false) ?? false
  const skipHooks = bool('skip-hooks', false) ?? false
  const enabled = bool('wait-for-checks', undefined)
  // The gate cannot read checks without a token; everything else a token does (the Deployment,
  // the PR comment) is a record for people, skipped with a notice when there is none.
  const githubToken = secret['github-token']
  if (!githubToken && (enabled ?? (command === undefined || defaultGate(command)))) {
    problems.push('Input `github-token` is empty, and the CI gate needs it to read checks; leave it unset to use the job\'s token (`${{ github.token }}`), pass a token, or set `wait-for-checks: false` to deploy without one (no GitHub Deployment or PR comment then).')
  }
  if (enabled === true && (command === 'remove' || command === 'preview-remove' || command === 'plan')) {
    // Nothing is built or deployed, so there is no commit whose CI would decide anything.
    problems.push(`Input \`wait-for-checks\` is true, but \`command: ${command}\` never waits for CI (it deploys no code); remove \`wait-for-checks\` from this step.`)
  }
  // An unset GitHub secret reads as empty, and GitHub passes an input left out as empty too, so
  // an empty password alone means "the config's"; with a user name given it is a mistake.
  if (registryUsername && !secret['registry-password']) {
    problems.push('Input `registry-username` is set but `registry-password` is empty (a GitHub secret that is not set, or not available to this workflow, reads as empty); pass the password, e.g. `registry-password: ${{ secrets.REGISTRY_PASSWORD }}`, or drop `registry-username` to use the config\'s registry credentials.')
  }
  const configFile = input.get('config') || 'config/deploy.yml'
  const checks = list('checks')
  const configless = readConfigless(input, { command, secrets: parsedSecrets.values, env: process.env, registryUsername, registryPassword: secret['registry-password'] }, problems)
  if (problems.length) throw new InputError(problems)

  const registry = registryUsername || secret['registry-password'] ? { username: registryUsername || undefined, password: secret['registry-password'] || undefined } : undefined
  return {
    command: command!,
    configFile,
    destination,
    version,
    sshPrivateKey,
    knownHosts,
    registry,
    githubToken,
    gate: { enabled, checks, allowedConclusions: allowedConclusions.length ? allowedConclusions : [...GATE_DEFAULTS.allowedConclusions], timeoutMs: timeoutMs! },
    skipBuild,
    skipPush,
    breakStaleLock,
    allowUnreachable,
    skipHooks,
    secrets: parsedSecrets.values,
    prNumber,
    ...(configless ? { configless } : {}),
    ...(maxConnections !== undefined ? { maxConnections } : {}),
    ...(exec ? { exec } : {}),
  }
}

/** deploy and preview-deploy wait for CI unless told not to; rollback and removals only when asked. */
const defaultGate = (command: ActionCommand | undefined): boolean => command === 'deploy' || command === 'preview-deploy'

export function gateEnabled(inputs: Pick<ActionInputs, 'command' | 'gate'>): boolean {
  return inputs.gate.enabled ?? defaultGate(inputs.command)
}

/** `30m`, `90s`, `1h30m`, `2h`, `500ms`, or plain seconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim()
  if (/^\d+$/.test(t)) return Number(t) * 1000
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(t)
  if (!m || t === '') return undefined
  const [, h, min, s, ms] = m
  return ((Number(h ?? 0) * 60 + Number(min ?? 0)) * 60 + Number(s ?? 0)) * 1000 + Number(ms ?? 0)
}
