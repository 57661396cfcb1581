import { checksRoutes } from './checks-routes.js'
import { FakeClock } from './fake-clock.js'
import { startGitHubApi, type GitHubApiServer, type Routes } from './server.js'
import { FakeGitHub } from './state.js'

export { FakeClock } from './fake-clock.js'
export { FakeGitHub, FakeRepo, type Permission } from './state.js'
export { startGitHubApi, type ApiReply, type ApiRequest, type GitHubApiServer, type Handler, type Routes } from './server.js'
export { checksRoutes, notAccessible, notFound, repoFor } from './checks-routes.js'
export { deploymentsRoutes, issueCommentRoutes } from './deployments-routes.js'
export { paginate } from './pagination.js'
export { GitHubOpenApi, githubOpenApi } from './openapi.js'
export * as fixtures from './fixtures.js'
export type { Deployment, DeploymentStatus, IssueComment } from './fixtures-deployments.js'

export interface FakeGitHubSetup {
  clock: FakeClock
  gh: FakeGitHub
  api: GitHubApiServer
}

/**
 * A fake clock, GitHub's state and the validating server serving it. Later features add their
 * routes through `routes` (they receive the same state): `{ ...myRoutes(gh) }`.
 */
export async function startFakeGitHub(opts: { token?: string; basePath?: string; routes?: (gh: FakeGitHub) => Routes } = {}): Promise<FakeGitHubSetup> {
  const clock = new FakeClock()
  const gh = new FakeGitHub(clock)
  const api = await startGitHubApi({ routes: { ...checksRoutes(gh), ...opts.routes?.(gh) }, token: opts.token, basePath: opts.basePath, now: clock.now })
  return { clock, gh, api }
}
