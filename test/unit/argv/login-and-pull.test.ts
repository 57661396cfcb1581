import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loginAndPull } from '../../../src/argv/docker.js'
import { runInSh, tempDir } from '../helpers/sh.js'

// A `docker` stand-in that logs each call (argv, the --config dir, whether that dir exists, and
// what login read on stdin), and fails where told to.
const FAKE = `#!/bin/sh
d="$FAKE_DIR"
[ "$1" = --config ] || { echo "fake docker: no --config: $*" >&2; exit 98; }
cfg="$2"; shift 2
case "$1" in
  login) pw=$(cat); printf '%s cfg=%s pw=%s\\n' "$*" "$cfg" "$pw" >> "$d/calls"; echo creds > "$cfg/config.json"; exit "$(cat "$d/login.rc" 2>/dev/null || echo 0)" ;;
  pull) printf '%s cfg=%s creds=%s\\n' "$*" "$cfg" "$(cat "$cfg/config.json")" >> "$d/calls"; exit "$(cat "$d/pull.rc" 2>/dev/null || echo 0)" ;;
esac
exit 99
`

function fake(rc: { login?: number; pull?: number } = {}) {
  const dir = tempDir('login-pull')
  mkdirSync(join(dir, 'bin'))
  writeFileSync(join(dir, 'bin/docker'), FAKE)
  chmodSync(join(dir, 'bin/docker'), 0o755)
  if (rc.login !== undefined) writeFileSync(join(dir, 'login.rc'), String(rc.login))
  if (rc.pull !== undefined) writeFileSync(join(dir, 'pull.rc'), String(rc.pull))
  const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, FAKE_DIR: dir }
  const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trimEnd().split('\n') : [])
  return { dir, env, calls }
}

/** Run the argv with `stdin`, as RemoteHost.exec does (shellJoin'd command, stdin fed). */
function run(env: NodeJS.ProcessEnv, cwd: string, stdin: string) {
  const argv = loginAndPull('reg.test:5000', 'deploy user', "reg.test:5000/app:v1-'x'")
  return runInSh(['sh', '-c', 'exec "$@" <"$STDIN_FILE"', 'stdin', ...argv], cwd, { ...env, STDIN_FILE: (writeFileSync(join(cwd, 'stdin'), stdin), join(cwd, 'stdin')) })
}

describe('loginAndPull: one command, a private client config', () => {
  it('logs in (password from stdin) and pulls through the same throwaway config, then removes it', () => {
    const f = fake()
    const r = run(f.env, f.dir, 'pa$$ word')
    expect(r.code).toBe(0)
    const [login, pull, ...rest] = f.calls()
    expect(rest).toEqual([])
    const cfg = /cfg=(\S+)/.exec(login ?? '')?.[1]
    expect(cfg).toBeTruthy()
    expect(login).toBe(`login reg.test:5000 --username deploy user --password-stdin cfg=${cfg} pw=pa$$ word`)
    expect(pull).toBe(`pull reg.test:5000/app:v1-'x' cfg=${cfg} creds=creds`)
    expect(existsSync(cfg!)).toBe(false)
  })

  it('a failed login stops before the pull, exits non-zero, and still removes the config', () => {
    const f = fake({ login: 1 })
    const r = run(f.env, f.dir, 'wrong')
    expect(r.code).toBe(1)
    expect(f.calls().map((c) => c.split(' ')[0])).toEqual(['login'])
    expect(existsSync(/cfg=(\S+)/.exec(f.calls()[0] ?? '')![1]!)).toBe(false)
  })

  it("a failed pull is the command's exit code", () => {
    const f = fake({ pull: 3 })
    expect(run(f.env, f.dir, 'pw').code).toBe(3)
  })
})
