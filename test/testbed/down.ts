import { rmSync } from 'node:fs'
import { docker, label, network, testbedJsonPath } from './layout.js'
import { progress, run, tryRun } from './sh.js'

/** Removes every testbed container and the network. Cached artifacts and keys are kept. */
export async function down(): Promise<void> {
  if ((await tryRun([docker, 'info', '--format', '{{.ID}}'], { timeoutMs: 10_000 })).code !== 0) {
    progress('no Docker engine answers: nothing to take down')
  } else {
    const ids = (await run('listing testbed containers', [docker, 'ps', '-aq', '--filter', `label=${label}`])).split('\n').filter(Boolean)
    if (ids.length) await run('removing testbed containers', [docker, 'rm', '-f', '-v', ...ids], { timeoutMs: 120_000 })
    if ((await tryRun([docker, 'network', 'inspect', network.name])).code === 0) await run('removing the testbed network', [docker, 'network', 'rm', network.name])
    progress(`removed ${ids.length} container(s) and the network ${network.name}`)
  }
  rmSync(testbedJsonPath, { force: true })
}

if (process.argv[1] === import.meta.filename) {
  down().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
}
