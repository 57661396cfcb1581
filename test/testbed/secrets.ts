import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { registryIp, registryUser, stateDir } from './layout.js'
import { run } from './sh.js'

/** The testbed's keys and secrets, all files under stateDir (made once, reused by every `up`). */
export interface TestbedSecrets {
  sshKeyPath: string
  sshPublicKey: string
  caCertPath: string
  caCert: string
  registryDir: string
  registryPassword: string
  knownHostsPath: string
}

/** Makes `path` with `make(tmpPath)` unless it exists; private (0600) unless said otherwise. */
async function once(path: string, make: (tmp: string) => Promise<void>, mode = 0o600): Promise<void> {
  if (existsSync(path)) return
  const tmp = `${path}.tmp-${process.pid}`
  rmSync(tmp, { force: true })
  await make(tmp)
  chmodSync(tmp, mode)
  renameSync(tmp, path)
}

export async function ensureSecrets(): Promise<TestbedSecrets> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  chmodSync(stateDir, 0o700)
  const registryDir = join(stateDir, 'registry')
  mkdirSync(registryDir, { recursive: true, mode: 0o700 })

  const sshKeyPath = join(stateDir, 'id_ed25519')
  if (!existsSync(sshKeyPath)) {
    rmSync(`${sshKeyPath}.pub`, { force: true })
    await run('making the SSH key pair', ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'cutover-testbed', '-f', sshKeyPath])
  }

  const caKey = join(stateDir, 'ca.key')
  const caCertPath = join(stateDir, 'ca.crt')
  await once(caKey, (tmp) => run('making the CA key', ['openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', tmp]).then(() => {}))
  await once(caCertPath, (tmp) => run('making the CA certificate', [
    'openssl', 'req', '-x509', '-new', '-key', caKey, '-sha256', '-days', '3650', '-subj', '/CN=cutover testbed CA', '-out', tmp,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]).then(() => {}), 0o644)

  // The registry's certificate names its IP (Go's TLS ignores the CN), the one name under which
  // both the machine's engine and the hosts' engines reach it.
  const regKey = join(registryDir, 'registry.key')
  const regCert = join(registryDir, 'registry.crt')
  await once(regKey, (tmp) => run('making the registry key', ['openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', tmp]).then(() => {}))
  await once(regCert, async (tmp) => {
    const csr = `${tmp}.csr`
    const ext = `${tmp}.ext`
    writeFileSync(ext, `subjectAltName=IP:${registryIp},DNS:registry.testbed\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`)
    await run('making the registry CSR', ['openssl', 'req', '-new', '-key', regKey, '-subj', `/CN=${registryIp}`, '-out', csr])
    await run('signing the registry certificate', ['openssl', 'x509', '-req', '-in', csr, '-CA', caCertPath, '-CAkey', caKey, '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', ext, '-out', tmp])
    rmSync(csr, { force: true })
    rmSync(ext, { force: true })
  }, 0o644)

  const passwordPath = join(stateDir, 'registry-password')
  await once(passwordPath, async (tmp) => writeFileSync(tmp, randomBytes(18).toString('base64url')))
  const registryPassword = readFileSync(passwordPath, 'utf8').trim()
  // htpasswd reads the password on stdin (-i), so it is never in a process list.
  await once(join(registryDir, 'htpasswd'), async (tmp) => {
    const line = await run('making the registry htpasswd', ['htpasswd', '-niB', registryUser], { input: `${registryPassword}\n` })
    writeFileSync(tmp, line)
  }, 0o644)

  return {
    sshKeyPath,
    sshPublicKey: readFileSync(`${sshKeyPath}.pub`, 'utf8').trim(),
    caCertPath,
    caCert: readFileSync(caCertPath, 'utf8').trim(),
    registryDir,
    registryPassword,
    knownHostsPath: join(stateDir, 'known_hosts'),
  }
}
