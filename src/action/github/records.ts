import type { RunOutcome } from '../engine-port.js'
import type { ActionCommand } from '../inputs.js'
import { createDeployment, deactivateEnvironment, setDeploymentStatus, stickyMarker, upsertStickyComment, type GitHubClient } from '../../github/index.js'

export interface RecordsContext {
  command: ActionCommand
  environment: string
  sha: string
  logUrl?: string
  prNumber?: number
  /** Tells apart the sticky comments of several apps (config files, destinations) on one PR. */
  commentKey: string
}

/**
 * What the run leaves on GitHub: the Deployment and its statuses, and the preview's sticky PR
 * comment. These are records for people, so a failure here (say, a token without
 * `deployments: write`) is a warning that names the fix, and never fails or stops a deploy.
 */
export class GitHubRecords {
  private deploymentId: number | undefined

  /** The Deployment this run created, once start() did (the post step settles it after a cancel). */
  get deployment(): number | undefined {
    return this.deploymentId
  }

  constructor(
    private readonly gh: GitHubClient,
    private readonly ctx: RecordsContext,
    private readonly warn: (message: string) => void,
  ) {}

  /** deploy, rollback, preview-deploy: a Deployment for the environment, set in_progress. */
  async start(ref: string, version: string | undefined): Promise<void> {
    if (this.ctx.command === 'remove' || this.ctx.command === 'preview-remove') return
    await this.attempt('record the deployment', async () => {
      const id = await createDeployment(this.gh, {
        ref,
        environment: this.ctx.environment,
        description: `cutover ${this.ctx.command}${version ? ` of ${version}` : ''}`,
        transient: this.ctx.command === 'preview-deploy',
        payload: { tool: 'cutover', command: this.ctx.command, ...(version ? { version } : {}) },
      })
      this.deploymentId = id
      await setDeploymentStatus(this.gh, id, { state: 'in_progress', description: 'Deploying', ...this.log() })
    })
  }

  /** The Deployment's final status; for removals, every deployment of the environment goes inactive. */
  async finish(ok: boolean, outcome: RunOutcome | undefined, reason: string | undefined): Promise<void> {
    if (this.ctx.command === 'remove' || this.ctx.command === 'preview-remove') {
      if (ok) await this.attempt('mark the environment\'s deployments inactive', () => deactivateEnvironment(this.gh, this.ctx.environment, 'Removed by cutover', this.ctx.logUrl))
      return
    }
    const id = this.deploymentId
    if (id === undefined) return
    await this.attempt('update the deployment status', () =>
      ok
        ? setDeploymentStatus(this.gh, id, {
            state: 'success',
            description: outcome?.result.changed === false ? 'Already up to date' : 'Deployed',
            ...this.log(),
            ...(outcome?.url ? { environmentUrl: outcome.url } : {}),
          })
        : setDeploymentStatus(this.gh, id, { state: 'failure', description: firstLine(reason ?? 'Failed'), ...this.log() }),
    )
  }

  /** Previews: create or update the PR's one cutover comment. */
  async comment(ok: boolean, outcome: RunOutcome | undefined): Promise<void> {
    const pr = this.ctx.prNumber
    if (pr === undefined || (this.ctx.command !== 'preview-deploy' && this.ctx.command !== 'preview-remove')) return
    const body = commentBody(this.ctx, ok, outcome)
    await this.attempt('comment on the pull request', () => upsertStickyComment(this.gh, pr, stickyMarker(this.ctx.commentKey), body))
  }

  private log(): { logUrl?: string } {
    return this.ctx.logUrl ? { logUrl: this.ctx.logUrl } : {}
  }

  private async attempt(what: string, fn: () => Promise<unknown>): Promise<void> {
    if (!this.gh.hasToken) return
    try {
      await fn()
    } catch (err) {
      this.warn(`cutover: could not ${what}: ${(err as Error).message} The deploy itself is not affected.`)
    }
  }
}

export function commentBody(ctx: RecordsContext, ok: boolean, outcome: RunOutcome | undefined): string {
  const log = ctx.logUrl ? ` · [run log](${ctx.logUrl})` : ''
  const sha = ctx.sha.slice(0, 12)
  if (ctx.command === 'preview-remove') {
    return ok ? `### Preview of #${ctx.prNumber} removed\n\nIts containers and route are gone${log}.` : `### Removing the preview of #${ctx.prNumber} failed\n\nSee the${log ? ` [run log](${ctx.logUrl})` : ' run log'}.`
  }
  if (!ok) return `### ❌ Preview of #${ctx.prNumber} failed to deploy\n\nCommit \`${sha}\`${log}. The previous preview, if any, keeps serving.`
  const lines = [`### 🔎 Preview of #${ctx.prNumber}`, '']
  if (outcome?.url) lines.push(`**${outcome.url}**`, '')
  lines.push(`Version \`${outcome?.result.version ?? sha}\`${outcome?.result.changed === false ? ' (already up to date)' : ''} · commit \`${sha}\`${log}`)
  return lines.join('\n')
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? ''
}
