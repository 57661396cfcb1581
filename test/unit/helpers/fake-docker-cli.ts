import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './sh.js'

/**
 * Canned answers of a fake `docker` CLI, per probe of the observe script: stdout, stderr, exit
 * code. `ps` answers `docker ps --quiet` (a full look), `listing` the formatted `docker ps` (a first look).
 */
export type Canned = Partial<Record<'ps' | 'listing' | 'containers' | 'list' | 'images', { out?: string; err?: string; rc?: number }>>

// A `docker` stand-in for the observe script: answers each probe from files and logs its argv,
// so a test can run the real script in a real sh and see what it asked. Any other docker
// command (a network probe, an image inspect, anything that writes) fails loudly.
const SCRIPT = `#!/bin/sh
d="$FAKE_DOCKER_DIR"
printf '%s\\n' "$*" >> "$d/calls.log"
case "$1 $2" in
  "container inspect") f=containers ;;
  "exec kamal-proxy") f=list ;;
  "ps --all") if [ "$3" = --quiet ]; then f=ps; else f=listing; fi ;;
  "image ls") f=images ;;
  *) echo "fake docker: unexpected: $*" >&2; exit 99 ;;
esac
[ -f "$d/$f.out" ] && cat "$d/$f.out"
[ -f "$d/$f.err" ] && cat "$d/$f.err" >&2
exit "$(cat "$d/$f.rc" 2>/dev/null || echo 0)"
`

export function fakeDockerCli(canned: Canned): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = tempDir('docker-cli')
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'docker'), SCRIPT)
  chmodSync(join(bin, 'docker'), 0o755)
  writeFileSync(join(dir, 'calls.log'), '')
  for (const [name, { out, err, rc }] of Object.entries(canned)) {
    if (out !== undefined) writeFileSync(join(dir, `${name}.out`), out)
    if (err !== undefined) writeFileSync(join(dir, `${name}.err`), err)
    if (rc !== undefined) writeFileSync(join(dir, `${name}.rc`), String(rc))
  }
  return {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_DOCKER_DIR: dir },
    calls: () => readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean),
  }
}
