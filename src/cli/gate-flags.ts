import { apiUrlFromEnv, type GateOptions } from '../gate/index.js'
import type { Logger } from '../log.js'
import { type CliIO, type OptionValues, UsageError } from './command.js'

export const gateOptions = {
  'skip-gate': { type: 'boolean' },
  'gate-checks': { type: 'string' },
  'gate-timeout': { type: 'string' },
} as const

/**
 * The CI gate for a CLI run: on when GitHub's token and repository are in the environment (as in
 * a workflow), unless --skip-gate. Off otherwise, and the log says why, so nobody mistakes a
 * local deploy for a gated one.
 */
export async function gateFromFlags(values: OptionValues, io: CliIO, commit: () => Promise<string | undefined>, logger: Logger): Promise<GateOptions | undefined> {
  if (values['skip-gate']) return undefined
  const token = io.env.GITHUB_TOKEN
  const repository = io.env.GITHUB_REPOSITORY
  if (!token || !repository) {
    if (values['gate-checks'] !== undefined || values['gate-timeout'] !== undefined) {
      throw new UsageError('--gate-checks/--gate-timeout need GITHUB_TOKEN and GITHUB_REPOSITORY in the environment (the CI gate reads the commit\'s checks from GitHub)')
    }
    logger.info('CI gate off: GITHUB_TOKEN and GITHUB_REPOSITORY are not set (pass --skip-gate to say so explicitly)')
    return undefined
  }
  // Asked only now: a run without the gate starts no git process for it.
  const sha = await commit()
  if (!sha) throw new UsageError('the CI gate needs the commit: run from a git checkout, or pass --skip-gate')
  const timeout = values['gate-timeout']
  let timeoutMs: number | undefined
  if (typeof timeout === 'string') {
    const s = Number(timeout)
    if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--gate-timeout ${JSON.stringify(timeout)} is not a number of seconds > 0`)
    timeoutMs = s * 1000
  }
  const checks = typeof values['gate-checks'] === 'string' ? values['gate-checks'].split(',').map((c) => c.trim()).filter(Boolean) : undefined
  return {
    apiUrl: apiUrlFromEnv(io.env as NodeJS.ProcessEnv),
    token,
    repository,
    sha,
    ...(io.env.GITHUB_RUN_ID ? { runId: io.env.GITHUB_RUN_ID } : {}),
    ...(checks?.length ? { required: checks } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  }
}
