// Bundles the Action and the CLI into dist/ with ncc (CommonJS output: ESM output crashes in
// ssh2's crypto helper). ssh2 and cpu-features may have compiled optional native addons during
// `npm install`; ncc would copy whatever exists into dist/, making the bundle depend on the
// machine that built it (and on its Node ABI). ssh2 falls back to pure JS without them, so they
// are removed first and dist/ comes out the same everywhere.
import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
// CUTOVER_DIST lets the freshness test build elsewhere and compare with the committed dist/.
const dist = resolve(root, process.env.CUTOVER_DIST ?? 'dist')
for (const dir of ['node_modules/ssh2/lib/protocol/crypto/build', 'node_modules/cpu-features/build']) {
  rmSync(join(root, dir), { recursive: true, force: true })
}
for (const [entry, out] of [['src/action/index.ts', join(dist, 'action')], ['src/cli/index.ts', join(dist, 'cli')]]) {
  rmSync(out, { recursive: true, force: true })
  execFileSync(process.execPath, [join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', entry, '-o', out, '--license', 'licenses.txt', '--quiet'], { cwd: root, stdio: 'inherit' })
}
chmodSync(join(dist, 'cli', 'index.js'), 0o755)
