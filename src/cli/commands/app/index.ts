import { type CliCommand, EXIT } from '../../command.js'
import { appRemoveCommand, bootCommand } from './boot.js'
import { execCommand } from './exec.js'
import { liveCommand, maintenanceCommand, staleCommand, startCommand, stopCommand } from './lifecycle.js'
import { logsCommand } from './logs.js'
import { containersCommand, detailsCommand, imagesCommand, versionCommand } from './read.js'

/** `cutover app …`: Kamal's app commands (Kamal writes `stale_containers`; here it is `stale-containers`). */
export const appCommand: CliCommand = {
  name: 'app',
  summary: 'Day-two app commands: logs, exec, containers, images, details, version, start, stop, boot, stale-containers, maintenance, live, remove',
  usage: 'cutover app <command> [options]',
  options: {},
  subcommands: [
    logsCommand, execCommand, containersCommand, imagesCommand, detailsCommand, versionCommand,
    startCommand, stopCommand, bootCommand, staleCommand, maintenanceCommand, liveCommand, appRemoveCommand,
  ],
  run: () => EXIT.usage,
}
