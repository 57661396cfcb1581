import type { Argv } from './shell-join.js'

/**
 * Run a command under a host-wide lock (`flock` on `.kamal/cutover-host.lock`). The deploy lock is
 * per service, so two apps deploying to one fresh host at once would both find no `kamal`
 * network and no kamal-proxy and both create them: Docker 20.10 then makes two networks of the
 * same name (measured on the testbed), and the second `docker run --name kamal-proxy` fails.
 * Host-level set-up steps take this lock and re-check inside it. Hosts without flock (it is in
 * util-linux, so on every Debian and Ubuntu) run the command unlocked, as Kamal always does.
 */
const SCRIPT = 'mkdir -p .kamal 2>/dev/null; if command -v flock >/dev/null 2>&1; then exec flock .kamal/cutover-host.lock "$@"; fi; exec "$@"'

export const underHostLock = (argv: Argv): Argv => ['sh', '-c', SCRIPT, 'cutover-host-lock', ...argv]
