import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { testbed } from '../testbed.js'

/** Every manifest type a push may leave under a tag (buildx pushes an index or a single manifest). */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')

/**
 * Does the testbed registry hold `repository:tag`? Asked of the registry itself over HTTPS (its
 * CA, its htpasswd user), not through cutover's client. 200 is yes and 404 no; any other answer
 * throws, so a check that could not ask never reads as "absent".
 */
export function registryHasTag(repository: string, tag: string): Promise<boolean> {
  const [host, port] = testbed.registry.server.split(':')
  const auth = Buffer.from(`${testbed.registry.username}:${testbed.registry.password}`).toString('base64')
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port ?? 443),
        method: 'HEAD',
        path: `/v2/${repository}/manifests/${encodeURIComponent(tag)}`,
        ca: readFileSync(testbed.registry.caCertPath),
        headers: { Accept: MANIFEST_TYPES, Authorization: `Basic ${auth}` },
        timeout: 10_000,
      },
      (res) => {
        res.resume()
        if (res.statusCode === 200) resolve(true)
        else if (res.statusCode === 404) resolve(false)
        else reject(new Error(`registry ${testbed.registry.server}: HEAD ${repository}:${tag} answered ${res.statusCode}`))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`registry ${testbed.registry.server}: no answer for ${repository}:${tag} within 10 s`)))
    req.on('error', reject)
    req.end()
  })
}
