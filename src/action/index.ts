import * as core from '@actions/core'

// One bundle serves both `main` and `post`: the runner gives the post step the state the main
// step saved, so the presence of that state tells the two apart.
const isPost = core.getState('isPost') === 'true'

async function main(): Promise<void> {
  core.saveState('isPost', 'true')
  throw new Error('cutover: the action is not implemented yet')
}

async function post(): Promise<void> {
  // Nothing to clean up yet.
}

;(isPost ? post() : main()).catch((err: unknown) => {
  core.setFailed(err instanceof Error ? err.message : String(err))
})
