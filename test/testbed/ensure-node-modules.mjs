// Runs before `npm test`, `npm run demo` and the testbed scripts: a fresh clone has no
// node_modules, and those commands must set themselves up. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
const [major] = process.versions.node.split('.').map(Number)
if (major < 20) {
  console.error(`cutover needs Node 20 or newer; this is Node ${process.versions.node}. Install a newer Node (https://nodejs.org/).`)
  process.exit(1)
}
const installed = join(root, 'node_modules', '.package-lock.json')
const stale = !existsSync(installed) || !existsSync(join(root, 'node_modules', '.bin', 'vitest')) ||
  statSync(join(root, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs
if (stale) {
  console.error('cutover: installing npm dependencies (npm ci)')
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error('cutover: `npm ci` failed (see above); the npm registry must be reachable')
    process.exit(r.status ?? 1)
  }
}
