import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CloneError, cloneDirFor, prepareClone } from '../../../src/image/clone.js'
import { createGit } from '../../../src/image/git.js'
import { memoryLogger } from '../../../src/log.js'
import { GIT_ENV, commitAll, git, makeRepo, tempDir, write } from './git-fixture.js'

// Real git, real repositories in a temp dir: the clean-clone algorithm end to end, minus docker.
const gitClient = createGit({ env: GIT_ENV })

let tmp: ReturnType<typeof tempDir>
beforeEach(() => {
  tmp = tempDir()
})
afterEach(() => tmp.remove())

function appRepo() {
  const repo = makeRepo(join(tmp.path, 'app'), {
    'Dockerfile': 'FROM scratch\n',
    '.gitignore': 'secret.env\nnode_modules/\n',
    '.dockerignore': 'tmp/\n',
    'src/main.txt': 'v1\n',
  })
  // What a developer's working tree holds besides the commit: none of it may reach the clone.
  write(repo.root, 'secret.env', 'TOKEN=do-not-ship\n')
  write(repo.root, 'node_modules/x/index.js', 'junk\n')
  write(repo.root, 'untracked.txt', 'scratch\n')
  write(repo.root, 'src/main.txt', 'v1 with local edits\n')
  return repo
}

const cloneDir = (root: string) => cloneDirFor(join(tmp.path, 'cache'), 'web', root)

describe('prepareClone', () => {
  it('clones fresh: the commit only, no uncommitted, untracked or ignored files', async () => {
    const { root, sha } = appRepo()
    const dir = cloneDir(root)
    const log = memoryLogger()
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, log)

    expect(git(dir, 'rev-parse', 'HEAD')).toBe(sha)
    expect(readFileSync(join(dir, 'src/main.txt'), 'utf8')).toBe('v1\n')
    expect(readFileSync(join(dir, '.dockerignore'), 'utf8')).toBe('tmp/\n')
    for (const absent of ['secret.env', 'node_modules', 'untracked.txt']) expect(existsSync(join(dir, absent))).toBe(false)
    expect(log.lines.some((l) => l.startsWith('info: Cloning'))).toBe(true)
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toEqual([])
  })

  it('reuses an existing clone: resets to the new commit and wipes what was left in it', async () => {
    const { root, sha } = appRepo()
    const dir = cloneDir(root)
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, memoryLogger())
    // A marker inside .git survives a reset but not a re-clone: it proves the clone was reused.
    writeFileSync(join(dir, '.git', 'reuse-marker'), 'x')
    write(dir, 'src/main.txt', 'edited inside the clone\n')
    write(dir, 'left-behind.txt', 'x')
    write(dir, 'secret.env', 'ignored file left in the clone\n')

    write(root, 'src/main.txt', 'v2\n')
    const sha2 = commitAll(root, 'v2')
    const log = memoryLogger()
    await prepareClone(gitClient, { repoRoot: root, commit: sha2, cloneDir: dir }, log)

    expect(existsSync(join(dir, '.git', 'reuse-marker'))).toBe(true)
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(sha2)
    expect(readFileSync(join(dir, 'src/main.txt'), 'utf8')).toBe('v2\n')
    expect(existsSync(join(dir, 'left-behind.txt'))).toBe(false)
    expect(existsSync(join(dir, 'secret.env'))).toBe(false)
    expect(log.lines.some((l) => l.startsWith('info: Resetting'))).toBe(true)
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toEqual([])
  })

  it('goes back to an older commit too (a rollback build)', async () => {
    const { root, sha } = appRepo()
    const dir = cloneDir(root)
    write(root, 'src/main.txt', 'v2\n')
    const sha2 = commitAll(root, 'v2')
    await prepareClone(gitClient, { repoRoot: root, commit: sha2, cloneDir: dir }, memoryLogger())
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, memoryLogger())
    expect(readFileSync(join(dir, 'src/main.txt'), 'utf8')).toBe('v1\n')
  })

  it('builds a detached commit that no branch points at (a CI checkout)', async () => {
    const { root } = appRepo()
    git(root, 'checkout', '--quiet', '--detach')
    write(root, 'src/main.txt', 'detached\n')
    const detached = commitAll(root, 'detached')
    git(root, 'checkout', '--quiet', 'main')
    const dir = cloneDir(root)
    await prepareClone(gitClient, { repoRoot: root, commit: detached, cloneDir: dir }, memoryLogger())
    expect(readFileSync(join(dir, 'src/main.txt'), 'utf8')).toBe('detached\n')
  })

  it('clones from a shallow checkout (actions/checkout fetches depth 1 by default)', async () => {
    const { root } = appRepo()
    write(root, 'src/main.txt', 'v2\n')
    commitAll(root, 'v2')
    const ci = join(tmp.path, 'ci-checkout')
    git(tmp.path, 'clone', '--quiet', '--depth', '1', `file://${root}`, ci)
    const sha = git(ci, 'rev-parse', 'HEAD')
    expect(git(ci, 'rev-parse', '--is-shallow-repository')).toBe('true')
    const dir = cloneDirFor(join(tmp.path, 'cache'), 'web', ci)
    await prepareClone(gitClient, { repoRoot: ci, commit: sha, cloneDir: dir }, memoryLogger())
    expect(readFileSync(join(dir, 'src/main.txt'), 'utf8')).toBe('v2\n')
    // And again, reusing the clone, after the checkout moved on by one (shallow) commit.
    write(ci, 'src/main.txt', 'v3\n')
    const sha3 = commitAll(ci, 'v3')
    await prepareClone(gitClient, { repoRoot: ci, commit: sha3, cloneDir: dir }, memoryLogger())
    expect(readFileSync(join(dir, 'src/main.txt'), 'utf8')).toBe('v3\n')
  })

  // Three outcomes: git no longer sees a repository there (so it is cleared and cloned up
  // front), git sees one but a reset step fails (so the retry path runs), or the reset itself
  // repairs it. In every case the result is a clean clone at the commit.
  it.each([
    ['a garbage HEAD', 'up front', (dir: string) => writeFileSync(join(dir, '.git', 'HEAD'), 'garbage\n')],
    ['no objects directory', 'up front', (dir: string) => rmSync(join(dir, '.git', 'objects'), { recursive: true })],
    ['a file where the directory was', 'up front', (dir: string) => {
      rmSync(dir, { recursive: true })
      writeFileSync(dir, 'not a directory')
    }],
    // What a build killed mid-reset leaves behind: git refuses to touch the index.
    ['a stale index.lock', 'retry', (dir: string) => writeFileSync(join(dir, '.git', 'index.lock'), '')],
    // git itself repairs this one: the fetch brings the missing objects back.
    ['lost pack files', 'in place', (dir: string) => {
      rmSync(join(dir, '.git', 'objects'), { recursive: true })
      mkdirSync(join(dir, '.git', 'objects', 'pack'), { recursive: true })
    }],
  ])('recovers a corrupted build dir (%s, caught %s) by deleting it and cloning again', async (_name, caught, corrupt) => {
    const { root, sha } = appRepo()
    const dir = cloneDir(root)
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, memoryLogger())
    writeFileSync(join(dir, '.git', 'reuse-marker'), 'x')
    corrupt(dir)
    const log = memoryLogger()
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, log)

    expect(git(dir, 'rev-parse', 'HEAD')).toBe(sha)
    expect(git(dir, 'status', '--porcelain', '--ignored')).toBe('')
    expect(readFileSync(join(dir, 'src/main.txt'), 'utf8')).toBe('v1\n')
    expect(existsSync(join(dir, '.git', 'reuse-marker'))).toBe(caught === 'in place')
    const warnings = log.lines.filter((l) => l.startsWith('warn:'))
    if (caught === 'in place') {
      expect(warnings).toEqual([])
      expect(log.lines.some((l) => l.startsWith('info: Resetting'))).toBe(true)
    } else if (caught === 'retry') {
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/is unusable \(git could not .*\); deleting it and cloning again/)
    } else {
      expect(warnings).toEqual([])
      expect(log.lines.some((l) => l.startsWith('info: Cloning'))).toBe(true)
    }
  })

  it('never touches an enclosing repository when the clone lost its .git', async () => {
    // The cache dir sits inside another repository (say, a dotfiles repo in $HOME).
    const outer = makeRepo(join(tmp.path, 'home'), { 'README': 'outer\n' })
    const { root, sha } = makeRepo(join(tmp.path, 'app'), { 'Dockerfile': 'FROM scratch\n' })
    const dir = cloneDirFor(join(outer.root, '.cache', 'cutover'), 'web', root)
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, memoryLogger())
    rmSync(join(dir, '.git'), { recursive: true })
    const log = memoryLogger()
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, log)

    expect(git(dir, 'rev-parse', '--show-toplevel')).toBe(dir)
    expect(git(outer.root, 'rev-parse', 'HEAD')).toBe(outer.sha)
    expect(git(outer.root, 'remote')).toBe('')
    expect(readFileSync(join(outer.root, 'README'), 'utf8')).toBe('outer\n')
    expect(log.lines.some((l) => l.startsWith('info: Cloning'))).toBe(true)
  })

  it('checks out submodules at the recorded commit, follows updates, cleans them', async () => {
    const lib = makeRepo(join(tmp.path, 'lib'), { 'lib.txt': 'lib v1\n' })
    const { root } = makeRepo(join(tmp.path, 'app'), { 'Dockerfile': 'FROM scratch\n' })
    git(root, 'submodule', 'add', '--quiet', lib.root, 'vendor/lib')
    const sha = commitAll(root, 'add lib')
    const dir = cloneDir(root)
    await prepareClone(gitClient, { repoRoot: root, commit: sha, cloneDir: dir }, memoryLogger())
    expect(readFileSync(join(dir, 'vendor/lib/lib.txt'), 'utf8')).toBe('lib v1\n')

    write(lib.root, 'lib.txt', 'lib v2\n')
    commitAll(lib.root, 'lib v2')
    git(join(root, 'vendor/lib'), 'pull', '--quiet', 'origin', 'main')
    const sha2 = commitAll(root, 'bump lib')
    // Leave dirt inside the clone's submodule: the next prepare must wipe it.
    write(dir, 'vendor/lib/dirt.txt', 'x')
    write(dir, 'vendor/lib/lib.txt', 'edited\n')
    const log = memoryLogger()
    await prepareClone(gitClient, { repoRoot: root, commit: sha2, cloneDir: dir }, log)

    expect(readFileSync(join(dir, 'vendor/lib/lib.txt'), 'utf8')).toBe('lib v2\n')
    expect(existsSync(join(dir, 'vendor/lib/dirt.txt'))).toBe(false)
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toEqual([])
  })

  it('raises only after the retry fails, and says what failed both times', async () => {
    const { root } = appRepo()
    const dir = cloneDir(root)
    const missing = 'f'.repeat(40)
    const log = memoryLogger()
    const error = await prepareClone(gitClient, { repoRoot: root, commit: missing, cloneDir: dir }, log).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(CloneError)
    const message = (error as Error).message
    expect(message).toContain(`at ${missing} in ${dir}`)
    expect(message).toMatch(/First attempt: git could not fetch commit f{40}/)
    expect(message).toMatch(/After deleting the directory and cloning again: git could not fetch commit f{40}/)
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toHaveLength(1)
  })
})

describe('cloneDirFor', () => {
  it.each([
    ['web', '/src/a', /\/cache\/clones\/web-[0-9a-f]{12}$/],
    ['we b/../x', '/src/a', /\/cache\/clones\/we_b_.._x-[0-9a-f]{12}$/],
  ])('keys %j by service and repository', (service, repo, expected) => {
    expect(cloneDirFor('/cache', service, repo)).toMatch(expected)
  })

  it('differs per repository and per service', () => {
    expect(cloneDirFor('/c', 'web', '/a')).not.toBe(cloneDirFor('/c', 'web', '/b'))
    expect(cloneDirFor('/c', 'web', '/a')).not.toBe(cloneDirFor('/c', 'api', '/a'))
  })
})
