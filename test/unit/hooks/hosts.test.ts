import { describe, expect, it } from 'vitest'
import { runHosts } from '../../../src/hooks/index.js'
import { loadFrom, okOf } from '../config/helpers.js'

const D = 'config/deploy.yml'
const config = okOf(
  loadFrom({
    [D]: `service: app
image: me/app
registry: { server: ghcr.io, username: me, password: [KAMAL_REGISTRY_PASSWORD] }
servers:
  api: { hosts: [10.0.0.1, 10.0.0.2], cmd: api }
  web: [10.0.0.3, 10.0.0.2]
  worker: { hosts: [10.0.0.4], cmd: work }
`,
  }),
).config

// Kamal's KAMAL_HOSTS: hosts of the roles sorted by name, each once, primary-role hosts first
// (a stable sort), narrowed to --hosts.
describe('KAMAL_HOSTS for the run', () => {
  it.each([
    [undefined, ['10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.4']],
    [['10.0.0.4', '10.0.0.3'], ['10.0.0.3', '10.0.0.4']],
  ])('--hosts %j → %j', (only, want) => expect(runHosts(config, only)).toEqual(want))
})
