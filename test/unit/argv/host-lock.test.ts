import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { shellJoin, type Argv } from '../../../src/argv/shell-join.js'
import { ensureNetwork } from '../../../src/argv/docker.js'
import { DEFAULT_PROXY_BOOT, ensureRunning } from '../../../src/argv/proxy.js'
import { tempDir } from '../helpers/sh.js'

// A `docker` stand-in that behaves like Docker 20.10 where it matters: `network create` takes a
// moment and does NOT refuse a name that exists (two concurrent creates make two networks), and
// `run --name` of a name in use fails. It logs every call.
const FAKE = `#!/bin/sh
d="$FAKE_DIR"
printf '%s\\n' "$*" >> "$d/calls"
case "$1 $2" in
  "network inspect") [ -f "$d/net-$3" ] && exit 0; exit 1 ;;
  "network create") sleep 0.3; touch "$d/net-$3"; exit 0 ;;
  "container inspect") [ -f "$d/ctr-$3" ] && exit 0; exit 1 ;;
  "container start") exit 0 ;;
  "run --name") sleep 0.3; [ -f "$d/ctr-$3" ] && { echo "Conflict. The container name \\"/$3\\" is already in use" >&2; exit 125; }; touch "$d/ctr-$3"; exit 0 ;;
esac
exit 99
`

function fakeHost() {
  const dir = tempDir('host-lock')
  mkdirSync(join(dir, 'bin'))
  writeFileSync(join(dir, 'bin/docker'), FAKE)
  chmodSync(join(dir, 'bin/docker'), 0o755)
  const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, FAKE_DIR: dir }
  const calls = (): string[] => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trimEnd().split('\n') : [])
  const run = (argv: Argv): Promise<number> =>
    new Promise((resolve) => spawn('sh', ['-c', shellJoin(argv)], { cwd: dir, env, stdio: 'ignore' }).on('close', (code) => resolve(code ?? -1)))
  return { dir, calls, run }
}

describe('host-level set-up under the host lock (two apps deploying to one fresh host at once)', () => {
  it('two concurrent network ensures create the network once', async () => {
    const host = fakeHost()
    const codes = await Promise.all([host.run(ensureNetwork('kamal')), host.run(ensureNetwork('kamal'))])
    expect(codes).toEqual([0, 0])
    expect(host.calls().filter((c) => c === 'network create kamal')).toHaveLength(1)
  })

  it('two concurrent proxy boots run one proxy; the second finds and starts it', async () => {
    const host = fakeHost()
    const argv = ensureRunning(DEFAULT_PROXY_BOOT, '/home/app/.kamal/proxy/apps-config')
    const codes = await Promise.all([host.run(argv), host.run(argv)])
    expect(codes).toEqual([0, 0])
    expect(host.calls().filter((c) => c.startsWith('run --name kamal-proxy'))).toHaveLength(1)
    expect(host.calls().filter((c) => c === 'container start kamal-proxy')).toHaveLength(1)
  })

  it('without the lock the same race creates two networks (the fake is faithful)', async () => {
    const host = fakeHost()
    const bare: Argv = ['sh', '-c', 'docker network inspect kamal >/dev/null 2>&1 || docker network create kamal']
    await Promise.all([host.run(bare), host.run(bare)])
    expect(host.calls().filter((c) => c === 'network create kamal')).toHaveLength(2)
  })
})
