import { describe, expect, it } from 'vitest'
import { dockerCause } from '../../../src/registry/docker-output.js'

// docker 20.10's stored-credentials warning, printed on stderr by every successful login.
const LOGIN_WARNING = [
  'WARNING! Your password will be stored unencrypted in /tmp/tmp.Xk2/config.json.',
  'Configure a credential helper to remove this warning. See',
  'https://docs.docker.com/engine/reference/commandline/login/#credentials-store',
  '',
].join('\n')

describe('dockerCause: the line that says why comes first', () => {
  it.each([
    [
      'a version not in the registry',
      `${LOGIN_WARNING}Error response from daemon: manifest for registry.test:5443/app:v9 not found: manifest unknown: manifest unknown\n`,
      '',
      'Error response from daemon: manifest for registry.test:5443/app:v9 not found: manifest unknown: manifest unknown',
    ],
    [
      'a layer missing in the registry, after pull progress on stdout',
      `${LOGIN_WARNING}error pulling image configuration: download failed after attempts=1: unknown blob\n`,
      'v2: Pulling from cutover-e2e/app\n3f4d90098f5b: Pulling fs layer\n3f4d90098f5b: Waiting\n9c8b1e4a2d3f: Download complete\n',
      'error pulling image configuration: download failed after attempts=1: unknown blob',
    ],
    [
      'access denied',
      `${LOGIN_WARNING}Error response from daemon: pull access denied for registry.test:5443/nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n`,
      '',
      "Error response from daemon: pull access denied for registry.test:5443/nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    ],
    [
      'a login refused (no warning then)',
      'Error response from daemon: Get "https://registry.test:5443/v2/": unauthorized: authentication required\n',
      '',
      'Error response from daemon: Get "https://registry.test:5443/v2/": unauthorized: authentication required',
    ],
    [
      'an untrusted certificate',
      'Error response from daemon: Get "https://registry.test:5443/v2/": x509: certificate signed by unknown authority\n',
      '',
      'Error response from daemon: Get "https://registry.test:5443/v2/": x509: certificate signed by unknown authority',
    ],
  ])('%s', (_, stderr, stdout, cause) => {
    const lines = dockerCause(stderr, stdout)
    expect(lines[0]).toBe(cause)
    expect(lines.join('\n')).not.toMatch(/WARNING!|credential helper|docs\.docker\.com|Pulling fs layer|Download complete/)
  })

  it('keeps other lines after the causes, at most max, and says nothing when docker printed only noise', () => {
    expect(dockerCause('something odd\nError: boom\n', '', 5)).toEqual(['Error: boom', 'something odd'])
    expect(dockerCause('a\nb\nc\nd', '', 2)).toEqual(['a', 'b'])
    expect(dockerCause(LOGIN_WARNING)).toEqual([])
  })
})
