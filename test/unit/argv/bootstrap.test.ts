import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as b from '../../../src/argv/bootstrap.js'
import { runInSh, tempDir } from '../helpers/sh.js'

const facts = (over: Partial<b.HostFacts> = {}): b.HostFacts => ({ docker: false, daemon: false, uid: 0, user: 'root', inDockerGroup: false, sudo: false, curl: true, wget: false, ...over })
const URL = 'http://10.0.0.5/install.sh'

describe('server bootstrap: the decision per host', () => {
  it.each<[string, b.HostFacts, b.Decision | RegExp]>([
    ['Docker installed and answering: untouched', facts({ docker: true, daemon: true }), { kind: 'untouched' }],
    ['… even for a non-root user in the docker group', facts({ docker: true, daemon: true, uid: 1000, user: 'deploy', inDockerGroup: true }), { kind: 'untouched' }],
    ['no Docker, root, curl: install via curl', facts(), { kind: 'install', via: 'curl' }],
    ['no Docker, root, curl and wget: curl first', facts({ wget: true }), { kind: 'install', via: 'curl' }],
    ['no Docker, root, wget only: install via wget', facts({ curl: false, wget: true }), { kind: 'install', via: 'wget' }],
    ['no Docker, non-root with sudo: install (the script uses sudo)', facts({ uid: 1000, user: 'deploy', sudo: true }), { kind: 'install', via: 'curl' }],
    ['no Docker, neither curl nor wget', facts({ curl: false, wget: false }), /neither curl nor wget is there to fetch http:\/\/10\.0\.0\.5\/install\.sh/],
    ['no Docker, non-root without sudo', facts({ uid: 1000, user: 'deploy' }), /deploy is neither root nor has sudo/],
    ['Docker, non-root, not in the docker group: the exact fix', facts({ docker: true, uid: 1000, user: 'deploy' }), /`sudo usermod -aG docker deploy`, then reconnect/],
    ['Docker installed, engine down (root): never reinstalled', facts({ docker: true }), /engine does not answer/],
  ])('%s', (_what, f, want) => {
    const d = b.decide(f, URL)
    if (want instanceof RegExp) {
      expect(d.kind).toBe('fail')
      expect((d as { message: string }).message).toMatch(want)
    } else expect(d).toEqual(want)
  })

  it('parses the probe, and reads a missing or odd line as "no"', () => {
    expect(b.parseProbe('docker=yes\ndaemon=no\nuid=1000\nuser=deploy\ngroup=yes\nsudo=yes\ncurl=no\nwget=yes\n')).toEqual(facts({ docker: true, uid: 1000, user: 'deploy', inDockerGroup: true, sudo: true, curl: false, wget: true }))
    expect(b.parseProbe('uid=0\n')).toEqual({ docker: false, daemon: false, uid: 0, user: '?', inDockerGroup: false, sudo: false, curl: false, wget: false })
  })
})

/**
 * The install command run by a real sh, with stand-in curl/wget on a PATH of our own: which tool
 * fetched the script, that the script ran, and what a failed fetch exits with.
 */
describe('server bootstrap: the install command (real sh, stand-in curl and wget)', () => {
  function host(tools: { curl?: 'ok' | 'fail'; wget?: 'ok' | 'fail' }, script = 'echo stub-ran > "$HOME/ran"\n') {
    const home = tempDir('bootstrap')
    const bin = join(home, 'bin')
    mkdirSync(bin)
    // Each stand-in writes the script to the -o/-O file, as the real tools do, and logs its call.
    const tool = (name: 'curl' | 'wget', flag: string) => {
      const mode = tools[name]
      if (!mode) return
      const body = mode === 'fail' ? 'exit 22' : `while [ $# -gt 0 ]; do if [ "$1" = "${flag}" ]; then shift; out=$1; fi; shift; done; cat "$HOME/served" > "$out"`
      writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "$HOME/calls"\n${body}\n`)
      chmodSync(join(bin, name), 0o755)
    }
    tool('curl', '-o')
    tool('wget', '-O')
    writeFileSync(join(home, 'served'), script)
    // Only our bin and the basics: no real curl or wget can answer.
    const env = { HOME: home, PATH: `${bin}:/usr/bin:/bin` }
    for (const sys of ['curl', 'wget']) if (!tools[sys as 'curl'] && ['/usr/bin', '/bin'].some((d) => existsSync(join(d, sys)))) env.PATH = `${bin}:${stubPath(home)}`
    const r = runInSh(b.install(URL), home, env)
    const calls = existsSync(join(home, 'calls')) ? readFileSync(join(home, 'calls'), 'utf8') : ''
    return { r, home, calls, ran: existsSync(join(home, 'ran')) }
  }

  it('curl there: fetched with curl, then run', () => {
    const h = host({ curl: 'ok', wget: 'ok' })
    expect([h.r.code, b.fetchedWith(h.r.stdout), h.ran]).toEqual([0, 'curl', true])
    expect(h.calls).toMatch(/^curl -fsSL -o \S+ -- http:\/\/10\.0\.0\.5\/install\.sh\n$/)
  })

  it('no curl: wget fetches it, then it runs', () => {
    const h = host({ wget: 'ok' })
    expect([h.r.code, b.fetchedWith(h.r.stdout), h.ran]).toEqual([0, 'wget', true])
    expect(h.calls).toMatch(/^wget -q -O \S+ -- http:\/\/10\.0\.0\.5\/install\.sh\n$/)
  })

  it('curl fails to fetch: wget is tried next', () => {
    const h = host({ curl: 'fail', wget: 'ok' })
    expect([h.r.code, b.fetchedWith(h.r.stdout), h.ran]).toEqual([0, 'wget', true])
  })

  it('neither tool: exit FETCH_FAILED_EXIT, nothing ran', () => {
    const h = host({})
    expect([h.r.code, h.ran]).toEqual([b.FETCH_FAILED_EXIT, false])
    expect(h.r.stderr).toContain('could not fetch http://10.0.0.5/install.sh with curl or wget')
  })

  it('both fail to fetch: the same exit, nothing ran', () => {
    const h = host({ curl: 'fail', wget: 'fail' })
    expect([h.r.code, h.ran]).toEqual([b.FETCH_FAILED_EXIT, false])
  })

  it('the script fails: its own exit code, not the fetch’s', () => {
    const h = host({ curl: 'ok' }, 'echo broken >&2; exit 3\n')
    expect(h.r.code).toBe(3)
    expect(h.r.stderr).toContain('broken')
  })
})

/** A directory with only what the install command needs besides curl/wget (sh builtins aside). */
function stubPath(home: string): string {
  const dir = join(home, 'sys')
  mkdirSync(dir, { recursive: true })
  for (const tool of ['mktemp', 'rm', 'cat', 'sh']) {
    const found = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p))
    if (found) writeFileSync(join(dir, tool), `#!/bin/sh\nexec ${found} "$@"\n`, { mode: 0o755 })
  }
  return dir
}
