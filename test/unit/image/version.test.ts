import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGit } from '../../../src/image/git.js'
import { VersionError, resolveVersion } from '../../../src/image/version.js'
import { GIT_ENV, commitAll, git, makeRepo, tempDir, write } from './git-fixture.js'

// Real git repositories; only the random bytes of the suffix are fixed, to pin its format.
const gitClient = createGit({ env: GIT_ENV })
const fixedRandom = (n: number) => Buffer.alloc(n, 0xab)

let tmp: ReturnType<typeof tempDir>
beforeEach(() => {
  tmp = tempDir()
})
afterEach(() => tmp.remove())

const repo = () => makeRepo(join(tmp.path, 'app'), { 'Dockerfile': 'FROM scratch\n', 'web/index.html': 'hi\n' })

describe('resolveVersion', () => {
  it('uses the sha of HEAD by default', async () => {
    const { root, sha } = repo()
    const v = await resolveVersion(gitClient, { appDir: root })
    expect(v).toEqual({ version: sha, commit: sha, repoRoot: root, source: 'clone', uncommitted: false, warnings: [] })
  })

  it('finds the repository from a subdirectory (an app inside a monorepo)', async () => {
    const { root, sha } = repo()
    const v = await resolveVersion(gitClient, { appDir: join(root, 'web') })
    expect(v.repoRoot).toBe(root)
    expect(v.version).toBe(sha)
  })

  it('uses the sha of --ref, resolving branches, tags and short shas', async () => {
    const { root, sha } = repo()
    git(root, 'tag', 'v1')
    write(root, 'web/index.html', 'v2\n')
    commitAll(root, 'v2')
    for (const ref of ['v1', sha.slice(0, 8), 'HEAD~1']) {
      expect((await resolveVersion(gitClient, { appDir: root, ref })).version).toBe(sha)
    }
  })

  it('names a ref that is no commit', async () => {
    const { root } = repo()
    await expect(resolveVersion(gitClient, { appDir: root, ref: 'no-such-branch' })).rejects.toThrow(/'no-such-branch' names no commit in the repository at .*Check the ref/)
  })

  it('lets --version override the sha', async () => {
    const { root, sha } = repo()
    const v = await resolveVersion(gitClient, { appDir: root, version: 'release-42' })
    expect(v).toMatchObject({ version: 'release-42', commit: sha, uncommitted: false })
  })

  it.each(['has space', '-leading', 'a/b', 'x'.repeat(129), ''])('rejects --version %j', async (version) => {
    const { root } = repo()
    await expect(resolveVersion(gitClient, { appDir: root, version })).rejects.toThrow(VersionError)
  })

  it('clone build from a dirty tree: warns that changes are left out, adds no suffix', async () => {
    const { root, sha } = repo()
    write(root, 'web/index.html', 'edited\n')
    write(root, 'new-file.txt', 'x')
    const v = await resolveVersion(gitClient, { appDir: root }, fixedRandom)
    expect(v.version).toBe(sha)
    expect(v.uncommitted).toBe(false)
    expect(v.warnings).toHaveLength(1)
    expect(v.warnings[0]).toContain('so these uncommitted changes are left out')
    expect(v.warnings[0]).toContain('web/index.html')
    expect(v.warnings[0]).toContain('new-file.txt')
  })

  it('context build from a clean tree: the plain sha, skippable', async () => {
    const { root, sha } = repo()
    const v = await resolveVersion(gitClient, { appDir: root, context: '.' }, fixedRandom)
    expect(v).toMatchObject({ version: sha, source: 'context', uncommitted: false, warnings: [] })
  })

  it.each([
    ['a modified file', (root: string) => write(root, 'web/index.html', 'edited\n')],
    ['an untracked file', (root: string) => write(root, 'scratch.txt', 'x')],
    ['a staged file', (root: string) => {
      write(root, 'staged.txt', 'x')
      git(root, 'add', 'staged.txt')
    }],
  ])('context build with %s: _uncommitted_ suffix, a warning, never skipped', async (_what, dirty) => {
    const { root, sha } = repo()
    dirty(root)
    const v = await resolveVersion(gitClient, { appDir: root, context: '.' }, fixedRandom)
    expect(v.version).toBe(`${sha}_uncommitted_abababababababab`)
    expect(v.uncommitted).toBe(true)
    expect(v.warnings[0]).toMatch(/Building with uncommitted changes .* this build is never skipped/)
  })

  it('context build: the suffix is random, so two dirty builds never share a tag', async () => {
    const { root } = repo()
    write(root, 'web/index.html', 'edited\n')
    const a = await resolveVersion(gitClient, { appDir: root, context: '.' })
    const b = await resolveVersion(gitClient, { appDir: root, context: '.' })
    expect(a.version).toMatch(/^[0-9a-f]{40}_uncommitted_[0-9a-f]{16}$/)
    expect(a.version).not.toBe(b.version)
  })

  it('context build with --ref other than HEAD is refused', async () => {
    const { root } = repo()
    write(root, 'web/index.html', 'v2\n')
    commitAll(root, 'v2')
    await expect(resolveVersion(gitClient, { appDir: root, context: '.', ref: 'HEAD~1' })).rejects.toThrow(/is not the checked-out commit .* remove builder.context/)
  })

  it('outside git: clone builds explain, context builds need --version', async () => {
    const dir = join(tmp.path, 'plain')
    write(dir, 'Dockerfile', 'FROM scratch\n')
    // GIT_CEILING_DIRECTORIES keeps git from finding a repository that encloses the temp dir.
    const isolated = createGit({ env: { ...GIT_ENV, GIT_CEILING_DIRECTORIES: tmp.path } })
    await expect(resolveVersion(isolated, { appDir: dir })).rejects.toThrow(/not inside a git repository.*set builder.context/)
    await expect(resolveVersion(isolated, { appDir: dir, context: '.' })).rejects.toThrow(/Pass --version/)
    expect(await resolveVersion(isolated, { appDir: dir, context: '.', version: 'v9' })).toEqual({ version: 'v9', source: 'context', uncommitted: false, warnings: [] })
  })
})
