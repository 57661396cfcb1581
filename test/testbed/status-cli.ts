import { readTestbed } from './testbed-json.js'
import { describeTestbed, hostStatus } from './status.js'

const testbed = readTestbed()
hostStatus(testbed).then(
  (lines) => process.stdout.write(`${[...lines, ...describeTestbed(testbed)].join('\n')}\n`),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
