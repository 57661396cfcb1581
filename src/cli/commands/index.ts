import type { CliCommand } from '../command.js'
import { configCommand } from './config.js'
import { deployCommand } from './deploy.js'
import { knownHostsCommand } from './known-hosts.js'
import { lockCommand } from './lock.js'
import { registryCommand } from './registry.js'
import { removeCommand } from './remove.js'
import { rollbackCommand } from './rollback.js'
import { versionsCommand } from './versions.js'
import { accessoryCommand } from './accessory.js'
import { serverCommand } from './server.js'
import { appCommand } from './app/index.js'
import { auditCommand } from './audit.js'
import { proxyCommand } from './proxy.js'
import { pruneCommand } from './prune.js'
import { cutoverVersionCommand } from './version.js'

/** Every subcommand, in the order `cutover --help` lists them. Add new ones here. */
export const commands: readonly CliCommand[] = [deployCommand, rollbackCommand, versionsCommand, removeCommand, lockCommand, registryCommand, knownHostsCommand, configCommand, appCommand, accessoryCommand, serverCommand, proxyCommand, pruneCommand, auditCommand, cutoverVersionCommand]
