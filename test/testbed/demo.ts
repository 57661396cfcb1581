import { up } from './up.js'
import { describeTestbed, hostStatus } from './status.js'

// `npm run demo`, for now: bring the testbed up and show each host. (The deploy engine turns
// this into the real demo: build, deploy, redeploy unchanged, deploy under load.)
async function demo(): Promise<void> {
  const testbed = await up()
  const lines = [...(await hostStatus(testbed)), ...describeTestbed(testbed)]
  process.stdout.write(`${lines.join('\n')}\n`)
  if (lines.some((l) => l.includes(' DOWN: '))) process.exitCode = 1
}

demo().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
