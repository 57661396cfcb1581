/**
 * Where the project lives, for messages that send people to its documentation. Error messages
 * must link here, not to a repository-relative path: a user's repository has no docs/action.md.
 * The org is the same placeholder the docs' `uses: your-org/cutover@v1` lines use; change both
 * together when the Action is published.
 */
export const PROJECT_REPOSITORY = 'your-org/cutover'

/** The Action's documentation at the major version users pin (`@v1`), at a section's anchor. */
export function actionDocsUrl(anchor?: string): string {
  return `https://github.com/${PROJECT_REPOSITORY}/blob/v1/docs/action.md${anchor ? `#${anchor}` : ''}`
}
