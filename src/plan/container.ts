import type { RunSpec } from '../argv/docker.js'
import {
  containerName, envFilePath, LABEL_DESTINATION, LABEL_DIGEST, LABEL_ROLE, LABEL_SERVICE, LABEL_VERSION, NETWORK, targetAlias,
} from '../argv/names.js'
import { imageRef, kamalEnv, validateDesired, type DesiredRole } from './desired.js'
import { settingsDigest } from './digest.js'
import { flatSettings, secretHashes, settingsLabels } from './settings.js'

export interface DesiredContainer {
  /** The spec `docker run` gets: our labels and network alias included. */
  spec: RunSpec
  digest: string
  /** The host part of kamal-proxy's `--target` (a network alias derived from the digest). */
  alias: string
  /** The secret env file's contents (the executor uploads it with mode 0600). */
  envFile: string
  /** Relative to the SSH user's home, like every `.kamal` path (Docker reads it from the cwd). */
  envFilePath: string
}

/**
 * Desired state → the container to run, and its settings digest. The digest is computed over the
 * same spec that becomes the `docker run` argv, so whatever shapes the container is covered by
 * construction.
 */
export function desiredContainer(d: DesiredRole, settingsKey?: string | null): DesiredContainer {
  const { envFile } = validateDesired(d)
  const { restart, ...options } = d.options
  const path = envFilePath(d)
  const base: RunSpec = {
    name: containerName(d, d.version),
    image: imageRef(d),
    network: NETWORK,
    networkAliases: [],
    restart: restart == null || restart === true ? 'unless-stopped' : String(restart),
    env: { ...kamalEnv(d), ...d.env.clear },
    envFile: path,
    // Ours win over custom labels: the planner finds containers by these.
    labels: { ...d.labels, [LABEL_SERVICE]: d.service, [LABEL_ROLE]: d.role, [LABEL_DESTINATION]: d.destination ?? '' },
    volumes: d.volumes,
    logging: d.logging ?? { driver: null, options: {} },
    options,
    cmd: d.cmd ?? [],
  }
  const digest = settingsDigest({ imageId: d.imageId, container: base, envFile, route: d.proxy?.route ?? null })
  // A reboot's container must not answer to the alias the serving one has: the proxy would have nothing to switch.
  const alias = targetAlias(digest, d.reboot ? d.run.nonce : undefined)
  // What it is deployed with, for the next run's diff; outside the digest (it follows from the same inputs).
  const recorded = settingsKey ? settingsLabels(flatSettings(d.imageId, base, d.proxy?.route ?? null), secretHashes(settingsKey, d.env.secret)) : {}
  return {
    spec: { ...base, networkAliases: [alias], labels: { ...base.labels, [LABEL_VERSION]: d.version, [LABEL_DIGEST]: digest, ...recorded } },
    digest,
    alias,
    envFile,
    envFilePath: path,
  }
}

/** Kamal's hostname: the host (≤ 51 chars, as a DNS-safe label) plus 12 hex of the run's nonce. */
export function containerHostname(host: string, nonce: string): string {
  const safe = host.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 51).replace(/[.-]+$/, '')
  return `${safe || 'host'}-${nonce.slice(0, 12)}`
}
