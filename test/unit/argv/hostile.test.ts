import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as audit from '../../../src/argv/audit.js'
import * as registry from '../../../src/argv/registry.js'
import * as docker from '../../../src/argv/docker.js'
import * as lock from '../../../src/argv/lock.js'
import * as proxy from '../../../src/argv/proxy.js'
import { DEFAULT_ROUTE } from '../../../src/argv/proxy.js'
import { wordsThroughSh } from '../helpers/sh.js'

// Whatever a value holds, the remote program gets exactly the words we built: shellJoin(argv)
// through a real `sh -c` gives back argv, byte for byte.
const text = fc.string({ unit: 'binary', maxLength: 16 }).filter((s) => !s.includes('\0'))
const HOSTILE = ["'", '"', '$(touch /tmp/pwned)', '`id`', 'a\nb', ' lead', 'ünï😀', '\\', '*', '~', '#x', ';ls', '&&', '-n', '$HOME', '\r', '']

describe('hostile values through sh', () => {
  it('docker run argv round-trips for any env, label, volume, option and cmd (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(text, text, { maxKeys: 3 }), fc.dictionary(text, text, { maxKeys: 2 }), fc.array(text, { maxLength: 3 }), fc.array(text, { maxLength: 3 }), (env, labels, volumes, cmd) => {
        const argv = docker.run(
          { name: 'n', image: 'i', network: 'kamal', networkAliases: ['a'], restart: 'no', env, envFile: 'f', labels, volumes, logging: { driver: null, options: {} }, options: { x: cmd }, cmd },
          'h',
        )
        expect(wordsThroughSh(argv)).toEqual(argv)
      }),
      { numRuns: 60 },
    )
  })

  it.each(HOSTILE)('proxy deploy, rename, audit and lock argv keep %j literal', (v) => {
    for (const argv of [
      proxy.deploy(v, v, { ...DEFAULT_ROUTE, hosts: [v], pathPrefixes: [v], logRequestHeaders: [v] }, { deployTimeoutS: 1, drainTimeoutS: 1 }),
      docker.rename(v, v),
      registry.login(v, v),
      docker.loginAndPull(v, v, v),
      audit.append(v, v),
      lock.acquire(v, { lockedBy: v, at: v, version: v, message: v, run: v }),
      lock.status(v),
      lock.release(v),
    ]) {
      expect(wordsThroughSh(argv)).toEqual(argv)
    }
  })
})
