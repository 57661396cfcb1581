import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cloneDirFor } from '../../src/image/index.js'
import { write } from '../unit/image/git-fixture.js'
import { APP, build, helloArgs, input, removeLocalImages, runOnHost, world } from './build-fixture.js'
import { testbed } from './testbed.js'

// Issue 5, "what must be shown", at the src/build level: src/build's buildImage (version →
// registry check → clean clone → login → docker buildx build --push) against the real testbed
// registry, read back from a testbed host. Both buildx builders the testbed has: the engine's
// own (`docker` driver, what a CI runner has before setup-buildx) and the remote buildkitd.
const builders = [
  { label: 'the engine\'s builder (docker driver)', builder: undefined, says: 'Built and pushed with docker buildx.' },
  { label: `the remote buildkitd (${testbed.builder.buildkitd.name})`, builder: testbed.builder.buildkitd.name, says: `Built and pushed with docker buildx (builder ${testbed.builder.buildkitd.name}).` },
]

const w = world({ buildx: true })
afterAll(async () => {
  await removeLocalImages()
  w.remove()
})

describe.each(builders)('buildx with $label', ({ builder, says }) => {
  const name = `hello-${builder ? 'remote' : 'docker'}`
  const deps = builder ? { buildxBuilder: builder } : {}

  it('builds a committed change from a clone, pushes it, and a host runs it: /version is the commit sha', async () => {
    const sha = w.commit('change the message', { [`${APP}/message.txt`]: `changed for ${name}\n` })
    // deploy.yml cannot name the commit, so the test passes it as the VERSION build arg that
    // examples/hello serves at /version; the tag is what the pipeline chose (the sha).
    const { report, lines } = await build(w, input(name, { args: helloArgs(sha) }), deps)
    expect(report).toMatchObject({ status: 'built', path: 'buildx' })
    expect(report.image).toMatch(new RegExp(`^${testbed.registry.server.replace(/\./g, '\\.')}/e2e/[^/]+/${name}:${sha}$`))
    expect(report.notes[0]).toBe(says)
    expect(lines).toContain(`info: ${says}`)
    expect(lines).toContain(`info: ${report.image} is not in the registry yet; building it.`)
    expect(lines.some((l) => l.startsWith(`info: Cloning ${realpathSync(w.repo)} into `))).toBe(true)
    const seen = await runOnHost(report.image, ['cat', '/www/version', '/ctx/message.txt'])
    expect(seen).toBe(`${sha}\nchanged for ${name}\n`)
  })

  it('builds from the clone only: untracked, git-ignored and .dockerignored files are absent from the image', async () => {
    const sha = w.commit('another change', { [`${APP}/message.txt`]: `context check for ${name}\n` })
    write(w.appDir, 'untracked.txt', 'never committed\n')
    write(w.appDir, 'local.env', 'SECRET=only-in-the-working-tree\n')
    write(w.appDir, 'message.txt', 'an uncommitted edit\n')
    try {
      const { report, lines } = await build(w, input(name, { args: helloArgs(sha) }), deps)
      expect(report.status).toBe('built')
      expect(lines.join('\n')).toContain('uncommitted changes are left out')
      const files = (await runOnHost(report.image, ['sh', '-c', 'cd /ctx && find . -type f | sort && cat message.txt'])).trim().split('\n')
      // Present: what the commit holds (a positive control for the listing).
      expect(files).toEqual(['./.dockerignore', './Dockerfile', './config/deploy.yml', './message.txt', `context check for ${name}`])
    } finally {
      for (const f of ['untracked.txt', 'local.env']) rmSync(join(w.appDir, f))
      execFileSync('git', ['-C', w.repo, 'checkout', '--', `${APP}/message.txt`])
    }
  })

  it('skips the build of a version already in the registry, and says so (the local image is gone first)', async () => {
    const sha = w.commit('a version to push twice')
    const first = await build(w, input(name, { args: helloArgs(sha) }), deps)
    expect(first.report.status).toBe('built')
    // Nothing local can explain the skip: no image in the engine, no clone.
    execFileSync('docker', ['rmi', '--force', first.report.image, first.report.image.replace(/:[^:]+$/, ':latest')], { stdio: 'ignore' })
    expect(() => execFileSync('docker', ['image', 'inspect', first.report.image], { stdio: 'ignore' })).toThrow()
    rmSync(join(w.cacheDir, 'clones'), { recursive: true, force: true })
    const callsBefore = w.calls.length

    const again = await build(w, input(name, { args: helloArgs(sha) }), deps)
    expect(again.report).toMatchObject({ status: 'skipped', image: first.report.image, notes: [`${first.report.image} is already in the registry; skipping the build.`] })
    expect(again.lines).toContain(`info: ${first.report.image} is already in the registry; skipping the build.`)
    // No docker command ran at all (no login, no build), and no clone was made.
    expect(w.calls.slice(callsBefore).filter((c) => c.argv[0] === 'docker')).toEqual([])
    expect(existsSync(join(w.cacheDir, 'clones'))).toBe(false)
  })
})

describe('clone recovery', () => {
  const cloneDir = () => cloneDirFor(w.cacheDir, 'hello', realpathSync(w.repo))
  const garbage = (dir: string) => {
    for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue
      // Removed first: a local clone hardlinks its objects to the source repository's.
      rmSync(join(f.parentPath, f.name))
      writeFileSync(join(f.parentPath, f.name), 'not a git object\n')
    }
  }
  const unusable = (dir: string) => new RegExp(`^warn: The build clone in ${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is unusable \(.+\); deleting it and cloning again$`)
  const corruptions = [
    {
      what: 'its .git is a stray file (not a repository of its own)',
      // A marker that only deleting the directory removes.
      corrupt: (dir: string) => {
        rmSync(join(dir, '.git'), { recursive: true, force: true })
        writeFileSync(join(dir, '.git'), 'gitdir: /nonexistent\n')
        return join(dir, 'left-behind.txt')
      },
      // Not a repository: deleted and cloned at once, with no reset attempt first.
      says: (dir: string, lines: string[]) => {
        expect(lines).toContain(`info: Cloning ${realpathSync(w.repo)} into ${dir}`)
        expect(lines.some((l) => l.startsWith('info: Resetting'))).toBe(false)
      },
    },
    {
      what: 'every object in its store is garbage',
      corrupt: (dir: string) => {
        garbage(join(dir, '.git', 'objects'))
        return join(dir, '.git', 'left-behind')
      },
      says: (dir: string, lines: string[]) => expect(lines.some((l) => unusable(dir).test(l))).toBe(true),
    },
    {
      what: 'a git killed mid-reset left its index.lock',
      corrupt: (dir: string) => {
        writeFileSync(join(dir, '.git', 'index.lock'), '')
        return join(dir, '.git', 'left-behind')
      },
      says: (dir: string, lines: string[]) => expect(lines.some((l) => unusable(dir).test(l))).toBe(true),
    },
  ]

  it.each(corruptions)('deletes and re-clones the build directory when $what', async ({ corrupt, says }) => {
    await build(w, input('hello-recovery', { args: helloArgs(w.commit('to make the clone')) }))
    expect(existsSync(join(cloneDir(), '.git', 'HEAD'))).toBe(true)
    const marker = corrupt(cloneDir())
    writeFileSync(marker, 'no clone has this file\n')

    const sha = w.commit('built after the corruption')
    const { report, lines } = await build(w, input('hello-recovery', { args: helloArgs(sha) }))
    expect(report.status).toBe('built')
    says(cloneDir(), lines)
    expect(existsSync(marker)).toBe(false)
    expect(execFileSync('git', ['-C', cloneDir(), 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()).toBe(sha)
    expect(execFileSync('git', ['-C', cloneDir(), 'status', '--porcelain', '--ignored'], { encoding: 'utf8' })).toBe('')
    expect(await runOnHost(report.image, ['cat', '/www/version'])).toBe(`${sha}\n`)
  })
})
