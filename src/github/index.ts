// All of cutover's GitHub REST traffic: the gate's reads (ETag, deadline-bound waiting) and the
// Action's records (Deployments, the sticky PR comment; writes with retry). No @actions/* here.
export { GitHubApiError, rateLimit, seconds, type ApiErrorKind, type Purpose } from './http.js'
export { GitHubReader } from './reader.js'
export { GitHubClient, type GitHubClientOptions } from './writer.js'
export { createDeployment, deactivateEnvironment, setDeploymentStatus, type DeploymentState, type NewDeployment, type StatusUpdate } from './deployments.js'
export { stickyMarker, upsertStickyComment, type StickyResult } from './sticky-comment.js'
