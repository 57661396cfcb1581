import { checkConfigless, type ConfiglessSpec, type FieldNames } from '../config/configless/spec.js'
import type { InputReader } from './inputs.js'

/** The config-less inputs (action.yml), and how errors name them. */
export const CONFIGLESS_INPUTS = ['image', 'proxy-host', 'servers', 'env', 'env-secrets', 'volumes', 'app-port', 'health-path', 'service'] as const

const ACTION_FIELDS: FieldNames = {
  image: 'Input `image`', host: 'Input `proxy-host`', servers: 'Input `servers`', service: 'Input `service`', env: 'Input `env`', secrets: 'Input `env-secrets`',
  volumes: 'Input `volumes`', appPort: 'Input `app-port`', healthPath: 'Input `health-path`', registryUser: 'Input `registry-username`',
}

const lines = (text: string): string[] => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')

/**
 * With `image` set, the step needs no config file: these inputs make it (src/config/configless),
 * as the CLI's `cutover deploy IMAGE` flags do. Undefined when `image` is not set, and then every
 * other config-less input is a mistake (it would be ignored). Problems go to `problems`, each
 * naming its input. `env-secrets` values come from the `secrets` input or the step's environment.
 */
export function readConfigless(
  input: InputReader,
  context: { command: string | undefined; secrets: Readonly<Record<string, string>>; env: Readonly<Record<string, string | undefined>>; registryUsername: string; registryPassword: string },
  problems: string[],
): ConfiglessSpec | undefined {
  const image = input.get('image')
  if (!image) {
    const stray = CONFIGLESS_INPUTS.filter((n) => input.get(n) !== '')
    if (stray.length) problems.push(`${stray.map((n) => `Input \`${n}\``).join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but \`image\` is not: these inputs deploy an image without a config file; set \`image\` too, or put the settings in config/deploy.yml.`)
    return undefined
  }
  if (context.command !== 'deploy') problems.push(`Input \`image\` is set with \`command: ${context.command ?? ''}\`; a config-less deploy (image, proxy-host, servers) works with \`command: deploy\` only.`)
  for (const clash of ['version', 'config', 'destination'] as const) {
    // `config` has a default (action.yml): only another file is a clash.
    const given = input.get(clash)
    if (given && !(clash === 'config' && given === 'config/deploy.yml')) problems.push(`Input \`${clash}\` is set together with \`image\`; with \`image\` no config file is read and the image's tag is the version: drop \`${clash}\`.`)
  }
  if (context.registryPassword && !context.registryUsername) problems.push('Input `registry-password` is set without `registry-username`; with `image` there is no config to take the user name from: set `registry-username` too.')
  const checked = checkConfigless(
    {
      image,
      host: input.get('proxy-host') || undefined,
      servers: lines(input.get('servers')),
      service: input.get('service') || undefined,
      env: lines(input.get('env')),
      secrets: lines(input.get('env-secrets')).flatMap((l) => l.split(',')).map((s) => s.trim()).filter(Boolean),
      volumes: lines(input.get('volumes')),
      appPort: input.get('app-port') || undefined,
      healthPath: input.get('health-path') || undefined,
      registryUser: context.registryUsername || undefined,
    },
    ACTION_FIELDS,
    { ...context.env, ...context.secrets },
  )
  if (!checked.ok) {
    problems.push(...checked.errors.map((e) => `${e.replace(/\.$/, '')}.`))
    return undefined
  }
  return checked.spec
}
