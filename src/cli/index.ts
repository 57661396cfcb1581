#!/usr/bin/env node
import { main } from './main.js'

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`cutover: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  },
)
