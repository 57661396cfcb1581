import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface TestPki {
  caFile: string
  ca: string
  key: string
  cert: string
}

/**
 * A throwaway CA and a server certificate signed by it, made with openssl in `dir`.
 * `names` are the certificate's subjectAltNames, e.g. ['IP:127.0.0.1', 'DNS:localhost'].
 */
export function makePki(dir: string, names: string[]): TestPki {
  const p = (f: string) => join(dir, f)
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=cutover test CA')
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=test registry')
  writeFileSync(p('ext.cnf'), `subjectAltName=${names.join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`)
  ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf'))
  return { caFile: p('ca.pem'), ca: readFileSync(p('ca.pem'), 'utf8'), key: readFileSync(p('server.key'), 'utf8'), cert: readFileSync(p('server.pem'), 'utf8') }
}
