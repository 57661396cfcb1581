import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CliCommand, CliIO } from '../../../src/cli/command.js'
import { main } from '../../../src/cli/main.js'

/** A config whose registry password and env secret come from the environment (REGISTRY_PASSWORD, DB_URL). */
export const SHOP_CONFIG = `service: shop
image: acme/shop
servers: [10.0.0.1]
registry:
  server: registry.test
  username: acme
  password: [REGISTRY_PASSWORD]
env:
  secret: [DB_URL]
`

/** `cutover ARGV` in a fresh directory holding SHOP_CONFIG, HOME pointing there, with exactly `env`. */
export async function runCli(argv: string[], env: Record<string, string>, commands?: CliCommand[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'cutover-cli-'))
  mkdirSync(join(cwd, 'config'))
  writeFileSync(join(cwd, 'config', 'deploy.yml'), SHOP_CONFIG)
  let stdout = ''
  let stderr = ''
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { HOME: cwd, ...env }, cwd }
  const code = await main(argv, io, commands)
  return { code, stdout, stderr }
}
