import type { FakeClock } from './fake-clock.js'
import { checkRun, commitStatus, type CheckRun, type CheckRunSpec, type CommitStatus, type StatusState } from './fixtures.js'
import type { Deployment, DeploymentStatus, IssueComment } from './fixtures-deployments.js'

/** Token permissions a test can take away; the matching endpoints then answer 403. */
export type Permission = 'checks' | 'statuses' | 'deployments' | 'issues' | 'pull_requests'

/** What GitHub holds for one repository, as far as the server's routes serve it. */
export class FakeRepo {
  readonly checkRuns = new Map<string, CheckRun[]>()
  /** Latest status per context, per commit: what the combined status lists. */
  readonly statuses = new Map<string, CommitStatus[]>()
  readonly denied = new Set<Permission>()
  /** Deployments, oldest first (GitHub lists newest first). */
  readonly deployments: Deployment[] = []
  /** The bodies clients sent to create them, for asserting what was asked. */
  readonly deploymentRequests: Record<string, unknown>[] = []
  /** Statuses per deployment id, oldest first. */
  readonly deploymentStatuses = new Map<number, DeploymentStatus[]>()
  /** Comments per issue or pull request number, oldest first. */
  readonly comments = new Map<number, IssueComment[]>()

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly id: number,
    private readonly gh: FakeGitHub,
  ) {}

  addCheckRun(sha: string, spec: CheckRunSpec): CheckRun {
    const run = checkRun(this.owner, this.name, sha, this.gh.nextId(), spec, this.gh.clock.iso())
    const list = this.checkRuns.get(sha) ?? []
    list.push(run)
    this.checkRuns.set(sha, list)
    return run
  }

  /** Moves a check run along, the way CI does. */
  update(run: CheckRun, status: CheckRun['status'], conclusion: string | null = null): void {
    const now = this.gh.clock.iso()
    run.status = status
    run.started_at ??= status === 'queued' ? null : now
    run.conclusion = status === 'completed' ? (conclusion ?? 'success') : null
    run.completed_at = status === 'completed' ? now : null
  }

  setStatus(sha: string, context: string, state: StatusState, targetUrl: string | null = null): CommitStatus {
    const list = (this.statuses.get(sha) ?? []).filter((s) => s.context !== context)
    const status = commitStatus(this.owner, this.name, sha, this.gh.nextId(), context, state, targetUrl, this.gh.clock.iso())
    // GitHub lists the most recently updated context first.
    this.statuses.set(sha, [status, ...list])
    return status
  }
}

/** The server's whole world: repositories by "owner/name", on a fake clock. */
export class FakeGitHub {
  private readonly repos = new Map<string, FakeRepo>()
  private ids = 1_000_000

  constructor(readonly clock: FakeClock) {}

  nextId(): number {
    return ++this.ids
  }

  /** The repository, created on first use. */
  repo(fullName: string): FakeRepo {
    let r = this.repos.get(fullName.toLowerCase())
    if (!r) {
      const [owner, name] = fullName.split('/')
      if (!owner || !name) throw new Error(`FakeGitHub: "${fullName}" is not owner/name`)
      r = new FakeRepo(owner, name, this.nextId(), this)
      this.repos.set(fullName.toLowerCase(), r)
    }
    return r
  }

  /** The repository if it exists (GitHub's names are case-insensitive). */
  find(owner: string, name: string): FakeRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase())
  }
}
