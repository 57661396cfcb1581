import type { Purpose } from './http.js'
import type { GitHubClient } from './writer.js'

/**
 * One comment per PR (and per app), edited in place on every preview deploy or removal, so a
 * busy PR does not fill up with bot comments. It is found by a hidden HTML marker in its body,
 * not by author: the token's identity differs between GITHUB_TOKEN and a PAT or app token.
 */
const PURPOSE: Purpose = { what: 'comment on the pull request', permission: 'pull-requests: write' }

/** `kind` tells apart the comments cutover keeps on one PR: the preview's and the plan's. */
export function stickyMarker(key: string, kind: 'preview' | 'plan' = 'preview'): string {
  // `--` cannot appear inside an HTML comment; the key is a path and a destination.
  return `<!-- cutover-${kind} ${key.replace(/-{2,}/g, '-')} -->`
}

interface Comment {
  id: number
  body?: string
}

export interface StickyResult {
  id: number
  created: boolean
}

/** Creates the comment, or updates the one carrying `marker`; the oldest wins if a race made two. */
export async function upsertStickyComment(gh: GitHubClient, pr: number, marker: string, body: string): Promise<StickyResult> {
  const full = `${marker}\n${body}`
  const comments = await gh.list<Comment>(`${gh.repoPath}/issues/${pr}/comments`, PURPOSE)
  const existing = comments.find((c) => c.body?.includes(marker))
  if (existing) {
    if (existing.body !== full) await gh.request('PATCH', `${gh.repoPath}/issues/comments/${existing.id}`, PURPOSE, { body: full })
    return { id: existing.id, created: false }
  }
  const created = await gh.request<Comment>('POST', `${gh.repoPath}/issues/${pr}/comments`, PURPOSE, { body: full })
  return { id: created.id, created: true }
}
