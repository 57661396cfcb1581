import { describe, expect, it } from 'vitest'
import { InputError, readInputs } from '../../../src/action/inputs.js'
import { deployRequest, toTarget } from '../../../src/action/requests.js'
import { inputDefaults } from '../../support/action/runner-files.js'

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAkeymaterial-Sentinel-1\n-----END OPENSSH PRIVATE KEY-----'
const valid = { 'known-hosts': 'vm1 ssh-ed25519 AAAAC3Nza', 'github-token': 'ghs_tok', 'ssh-private-key': KEY }
const configless = { ...valid, image: 'registry.test:5443/cl/app:live', 'proxy-host': 'app.example.com', servers: 'deploy@10.0.0.1\n\ndeploy@10.0.0.2:2222\n' }

function read(given: Record<string, string>) {
  const all: Record<string, string> = { ...inputDefaults(), ...given }
  try {
    return { inputs: readInputs({ get: (n) => (all[n] ?? '').trim(), setSecret: () => undefined }), error: undefined }
  } catch (err) {
    if (!(err instanceof InputError)) throw err
    return { inputs: undefined, error: err }
  }
}

describe('the Action\'s config-less inputs', () => {
  it('image + proxy-host + servers: a config-less deploy of the tag, no build, no hooks', () => {
    const { inputs, error } = read({ ...configless, env: 'GREETING=one\nMODE=a=b', 'env-secrets': 'APP_TOKEN', volumes: 'data:/data', 'app-port': '3000', 'health-path': '/healthz', secrets: 'APP_TOKEN=tok-1' })
    expect(error).toBeUndefined()
    expect(inputs!.configless).toEqual({
      service: 'app-example-com', registry: 'registry.test:5443', image: 'cl/app', tag: 'live', host: 'app.example.com', servers: ['10.0.0.1', '10.0.0.2:2222'], sshUser: 'deploy',
      env: { GREETING: 'one', MODE: 'a=b' }, secrets: ['APP_TOKEN'], volumes: ['data:/data'], appPort: 3000, healthPath: '/healthz', ssl: false,
    })
    const event = { sha: 'a'.repeat(40) } as Parameters<typeof deployRequest>[1]
    const req = deployRequest(inputs!, event, 'run-1', {}, '/work')
    expect(req).toMatchObject({ version: 'live', skipBuild: true, skipHooks: true, ref: 'a'.repeat(40) })
    expect(toTarget(inputs!, 'run-1', {}).configless).toBe(inputs!.configless)
  })

  it('without image: no config-less deploy', () => {
    expect(read(valid).inputs?.configless).toBeUndefined()
  })

  it.each([
    [{ ...valid, 'proxy-host': 'a.test', servers: '10.0.0.1' }, 'Input `proxy-host`, Input `servers` are set but `image` is not'],
    [{ ...configless, 'proxy-host': '' }, 'Input `proxy-host` is missing'],
    [{ ...configless, servers: '' }, 'Input `servers` is missing'],
    [{ ...configless, env: 'GREETING' }, 'Input `env` "GREETING" is not NAME=VALUE'],
    [{ ...configless, 'env-secrets': 'NOT_GIVEN_ANYWHERE_77' }, 'Input `env-secrets` NOT_GIVEN_ANYWHERE_77: the environment variable NOT_GIVEN_ANYWHERE_77 is not set'],
    [{ ...configless, version: 'v2' }, 'Input `version` is set together with `image`'],
    [{ ...configless, command: 'rollback', version: 'v1' }, 'a config-less deploy (image, proxy-host, servers) works with `command: deploy` only'],
    [{ ...configless, 'registry-password': 'pw-sentinel-1' }, 'Input `registry-password` is set without `registry-username`'],
    [{ ...configless, image: 'Bad/Image:v1' }, 'Input `image` "Bad/Image:v1" is not an image reference'],
  ])('%#: %s', (given, message) => {
    const { error } = read(given as Record<string, string>)
    expect(error?.message).toContain(message)
    expect(error?.message).not.toContain('pw-sentinel-1')
  })
})
