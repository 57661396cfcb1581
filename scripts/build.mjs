// Bundles the Action and the CLI into dist/ with ncc (CommonJS output: ESM output crashes in
// ssh2's crypto helper). ssh2 and cpu-features may have compiled optional native addons during
// `npm install`; ncc would copy whatever exists into dist/, making the bundle depend on the
// machine that built it (and on its Node ABI). ssh2 falls back to pure JS without them, so they
// are removed first and dist/ comes out the same everywhere.
import { execFileSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { transformSync } from 'esbuild'
import { productionLicenses } from './licenses.mjs'

const root = resolve(import.meta.dirname, '..')
// CUTOVER_DIST lets the freshness test build elsewhere and compare with the committed dist/.
const dist = resolve(root, process.env.CUTOVER_DIST ?? 'dist')
for (const dir of ['node_modules/ssh2/lib/protocol/crypto/build', 'node_modules/cpu-features/build']) {
  rmSync(join(root, dir), { recursive: true, force: true })
}

// Built beside the target and swapped in at the end: a build that fails or is killed half-way
// leaves the committed bundle in place instead of a deleted dist/ folder.
function ncc(entry, out, extra) {
  const building = `${out}.building`
  rmSync(building, { recursive: true, force: true })
  execFileSync(process.execPath, [join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', entry, '-o', building, '--quiet', ...extra], { cwd: root, stdio: 'inherit' })
  rmSync(out, { recursive: true, force: true })
  renameSync(building, out)
}

// The Action is downloaded on every job that uses it, so its JavaScript is minified, chunks
// included (ncc's own `-m` leaves lazily loaded chunks as they are). Names are kept so error
// classes still read right in a bug report. Licence notices come from the dependency tree,
// because ncc's `--license` misses the modules of the lazily loaded chunk.
const action = join(dist, 'action')
ncc('src/action/index.ts', action, [])
for (const file of readdirSync(action).filter((f) => f.endsWith('.js'))) {
  const path = join(action, file)
  const { code } = transformSync(readFileSync(path, 'utf8'), { loader: 'js', minify: true, keepNames: true, legalComments: 'none', target: 'node20' })
  writeFileSync(path, code)
}
writeFileSync(join(action, 'licenses.txt'), productionLicenses(root))

// The CLI stays readable: it runs on the user's machine from an install, not a per-job download.
const cli = join(dist, 'cli')
ncc('src/cli/index.ts', cli, ['--license', 'licenses.txt'])
chmodSync(join(cli, 'index.js'), 0o755)
