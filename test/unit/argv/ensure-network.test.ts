import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureNetwork } from '../../../src/argv/docker.js'
import { runInSh, tempDir } from '../helpers/sh.js'

// A `docker` stand-in holding one fact, whether the network exists (a file), and logging calls.
// `race` makes the network appear just as create runs (another deploy created it first), so
// create fails the way Docker does for a name in use.
const FAKE = `#!/bin/sh
d="$FAKE_DIR"
printf '%s\\n' "$*" >> "$d/calls"
case "$1 $2" in
  "network inspect") [ -f "$d/net-$3" ] && { echo '[{"Name":"'"$3"'"}]'; exit 0; }; echo "Error: No such network: $3" >&2; exit 1 ;;
  "network create")
    [ -f "$d/broken" ] && { echo "Error response from daemon: permission denied" >&2; exit 1; }
    [ -f "$d/race" ] && touch "$d/net-$3"
    [ -f "$d/net-$3" ] && { echo "Error response from daemon: network with name $3 already exists" >&2; exit 1; }
    touch "$d/net-$3"; echo 0123abcd; exit 0 ;;
esac
exit 99
`

function host(state: { exists?: boolean; race?: boolean; broken?: boolean }) {
  const dir = tempDir('network')
  mkdirSync(join(dir, 'bin'))
  writeFileSync(join(dir, 'bin/docker'), FAKE)
  chmodSync(join(dir, 'bin/docker'), 0o755)
  if (state.exists) writeFileSync(join(dir, 'net-kamal'), '')
  if (state.race) writeFileSync(join(dir, 'race'), '')
  if (state.broken) writeFileSync(join(dir, 'broken'), '')
  const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, FAKE_DIR: dir }
  const r = runInSh(ensureNetwork('kamal'), dir, env)
  const calls = existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trimEnd().split('\n') : []
  return { ...r, calls, exists: existsSync(join(dir, 'net-kamal')) }
}

describe('ensureNetwork: create the network unless it exists, as one command', () => {
  it.each([
    ['exists: only inspected', { exists: true }, 0, ['network inspect kamal']],
    ['absent: created', {}, 0, ['network inspect kamal', 'network create kamal']],
    ['created by someone else in between: fine', { race: true }, 0, ['network inspect kamal', 'network create kamal', 'network inspect kamal']],
  ])('%s', (_, state, code, calls) => {
    const r = host(state)
    expect(r.code).toBe(code)
    expect(r.calls).toEqual(calls)
    expect(r.exists).toBe(true)
  })

  it('a create that fails for another reason fails the step, with Docker\'s words', () => {
    const r = host({ broken: true })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('permission denied')
    expect(r.exists).toBe(false)
  })
})
