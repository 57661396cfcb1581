/**
 * A job for Action tests: the validating GitHub API server (checks, Deployments, comments),
 * real webhook payloads from @octokit/webhooks-examples, the fake engine's world, and one call
 * per step. Secrets here are sentinels that must never show up unmasked.
 */
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FakeEngine, newWorld, saveWorld, type FakeEngineOptions, type FakeWorld } from './fake-engine.js'
import { runStep, type JournalEntry, type StepRun } from './in-process.js'
import { stepFiles, tempDir } from './runner-files.js'
import { deploymentsRoutes, issueCommentRoutes, startFakeGitHub, type FakeGitHubSetup, type FakeRepo } from '../github-api/index.js'

const require = createRequire(import.meta.url)

export const TOKEN = 'ghs_actionTestToken_MustNeverBeLogged_0042'
export const SSH_KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACBsZWNyZXRrZXlzZW50aW5lbF9zc2hfa2V5X2xpbmVfdHdvAAAAAAAAAA==',
  '-----END OPENSSH PRIVATE KEY-----',
].join('\n')
export const REGISTRY_USER = 'deployer'
export const REGISTRY_PASSWORD = 'regpass-Sentinel-7f3a9c'
export const DATABASE_URL = 'postgres://shop:dbpass-Sentinel-51e2@db.internal/shop'
export const TLS_KEY = 'tls-line-one-Sentinel-aa11\ntls-line-two-Sentinel-bb22'
export const KNOWN_HOSTS = 'vm1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHZtMWhvc3RrZXk=\nvm2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHZtMmhvc3RrZXk='
export const RUN_ID = '4242'
/** GITHUB_SHA on pull_request events: the test merge commit, which must never be deployed. */
export const MERGE_SHA = 'e'.repeat(40)

export const baseInputs = (): Record<string, string> => ({
  'ssh-private-key': SSH_KEY,
  'known-hosts': KNOWN_HOSTS,
  'registry-username': REGISTRY_USER,
  'registry-password': REGISTRY_PASSWORD,
  'github-token': TOKEN,
  secrets: `DATABASE_URL=${DATABASE_URL}\nTLS_KEY<<EOF\n${TLS_KEY}\nEOF`,
})

interface WebhookExamples {
  name: string
  examples: Record<string, unknown>[]
}
const examples = (): WebhookExamples[] => require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookExamples[]

export interface PullRequestPayload {
  action: string
  number: number
  pull_request: { number: number; head: { sha: string; repo: { full_name: string } | null }; base: { repo: { full_name: string } } }
  repository: { full_name: string }
}

/**
 * GitHub's own example payload for `pull_request` with this action. The examples all describe
 * PR #2 of Codertocat/Hello-World; `number`, `headSha` and `fork` derive a second PR or a
 * fork's PR from the same real payload.
 */
export function pullRequestEvent(action: string, o: { number?: number; headSha?: string; fork?: string } = {}): PullRequestPayload {
  const ex = examples().find((w) => w.name === 'pull_request')?.examples.find((e) => e.action === action)
  if (!ex) throw new Error(`@octokit/webhooks-examples has no pull_request.${action} example`)
  const p = structuredClone(ex) as unknown as PullRequestPayload
  if (o.number !== undefined) p.number = p.pull_request.number = o.number
  if (o.headSha) p.pull_request.head.sha = o.headSha
  if (o.fork && p.pull_request.head.repo) p.pull_request.head.repo.full_name = o.fork
  return p
}

export function pushEvent(): { after: string; repository: { full_name: string } } {
  const ex = examples().find((w) => w.name === 'push')?.examples.find((e) => /^[0-9a-f]{40}$/.test(String(e.after)) && !/^0+$/.test(String(e.after)))
  if (!ex) throw new Error('@octokit/webhooks-examples has no push example with a commit')
  return ex as unknown as { after: string; repository: { full_name: string } }
}

export interface Job {
  s: FakeGitHubSetup
  repo: FakeRepo
  dir: string
  worldFile: string
  journal: JournalEntry[]
  world(): FakeWorld
  engine(o?: Partial<FakeEngineOptions>): FakeEngine
  /** Runs one step (main, or post with the state main saved). */
  step(o: { name?: string; event: string; payload: unknown; sha: string; inputs?: Record<string, string>; engine?: FakeEngine; state?: Record<string, string> }): Promise<StepRun>
  close(): Promise<void>
}

export async function startJob(repository = 'Codertocat/Hello-World', world: Partial<FakeWorld> = {}): Promise<Job> {
  const s = await startFakeGitHub({ token: TOKEN, routes: (gh) => ({ ...deploymentsRoutes(gh), ...issueCommentRoutes(gh) }) })
  const dir = tempDir()
  const worldFile = join(dir, 'world.json')
  saveWorld(worldFile, newWorld(world))
  const journal: JournalEntry[] = []
  let steps = 0
  const job: Job = {
    s,
    repo: s.gh.repo(repository),
    dir,
    worldFile,
    journal,
    world: () => JSON.parse(readFileSync(worldFile, 'utf8')) as FakeWorld,
    engine: (o = {}) => new FakeEngine({ worldFile, use: (text) => journal.push({ kind: 'use', text }), gateDeps: { now: s.clock.now, sleep: s.clock.sleep }, ...o }),
    async step(o) {
      const files = stepFiles(dir, `${++steps}-${o.name ?? 'main'}`)
      writeFileSync(files.event, JSON.stringify(o.payload))
      const github = {
        GITHUB_REPOSITORY: repository,
        GITHUB_EVENT_NAME: o.event,
        GITHUB_SHA: o.sha,
        GITHUB_RUN_ID: RUN_ID,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: 'deploy',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_API_URL: s.api.url,
        GITHUB_WORKSPACE: dir,
      }
      return runStep({ engine: o.engine ?? job.engine(), files, inputs: { ...baseInputs(), ...o.inputs }, github, ...(o.state ? { state: o.state } : {}), journal })
    },
    close: () => s.api.close(),
  }
  return job
}

/** Green CI on a commit: one finished check run of another workflow. */
export function greenCi(repo: FakeRepo, sha: string): void {
  repo.addCheckRun(sha, { name: 'test', status: 'completed', conclusion: 'success', actions: { runId: 1111, jobId: 1 } })
}
