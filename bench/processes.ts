import { spawn } from 'node:child_process'
import type { Testbed } from '../test/testbed/testbed-json.js'

/**
 * Fresh processes, timed from the first spawn until the last one exits. Every sample is checked:
 * a command that fails is an error, never a fast sample.
 */
export function timeProcesses(argvs: readonly (readonly string[])[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<number> {
  const started = performance.now()
  return Promise.all(
    argvs.map(
      (argv) =>
        new Promise<void>((resolve, reject) => {
          const [program, ...args] = argv
          const child = spawn(program!, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] })
          const err: Buffer[] = []
          child.stderr.on('data', (b: Buffer) => err.push(b))
          const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
          child.on('error', (e) => (clearTimeout(timer), reject(e)))
          child.on('close', (code) => {
            clearTimeout(timer)
            if (code === 0) resolve()
            else reject(new Error(`bench: \`${argv.slice(0, 3).join(' ')} …\` exited ${code}: ${Buffer.concat(err).toString().trim().slice(-500)}`))
          })
        }),
    ),
  ).then(() => performance.now() - started)
}

/**
 * The baseline: the plain OpenSSH client, one fresh connection per host, strict host keys from
 * the testbed's known_hosts, no user config (-F /dev/null: no multiplexing, no ControlMaster).
 */
export const sshArgv = (testbed: Testbed, address: string, command: readonly string[]): string[] => [
  'ssh', '-F', '/dev/null', '-i', testbed.ssh.keyPath,
  '-o', `UserKnownHostsFile=${testbed.ssh.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
  '-o', 'ControlMaster=no', '-o', 'ControlPath=none',
  `${testbed.ssh.user}@${address}`, ...command,
]
