import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

// dist/ is what users run (action.yml and `bin: cutover` point into it): it must be exactly what
// the sources build to, or users run code nobody reviewed.
const root = resolve(import.meta.dirname, '..', '..')
const out = mkdtempSync(join(tmpdir(), 'cutover-dist-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()

describe('dist/', () => {
  it('is what `npm run build` makes from the sources (commit a rebuilt dist/)', { timeout: 400_000 }, () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, env: { ...process.env, CUTOVER_DIST: out }, stdio: 'pipe' })
    const committed = join(root, 'dist')
    expect(files(out)).toEqual(files(committed))
    const stale = files(out).filter((f) => !readFileSync(join(out, f)).equals(readFileSync(join(committed, f))))
    expect(stale, `stale files in dist/: run npm run build and commit dist/`).toEqual([])
  })
})
