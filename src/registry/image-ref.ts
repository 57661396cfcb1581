import type { RegistryInput } from './types.js'

export class ImageRefError extends Error {
  override name = 'ImageRefError'
}

/** Where an image lives, in the terms the registry API needs. */
export interface RegistryTarget {
  /** The host (and port) to send API requests to; Docker Hub's is registry-1.docker.io. */
  apiHost: string
  /** The registry as users name it, for messages: "docker.io", "ghcr.io", "registry.test:5443". */
  registry: string
  /** The repository path on that registry, e.g. "library/nginx", "acme/app". */
  repository: string
}

const DOCKER_HUB = 'docker.io'
const DOCKER_HUB_API = 'registry-1.docker.io'
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'])
// Docker's repository grammar: lowercase path components joined by '/', with '.', '_', '__' or '-' runs inside.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/

/**
 * The repository name docker commands use for the app image: Kamal's `<registry.server>/<image>`,
 * or just `<image>` on Docker Hub (where `server` is usually left out).
 */
export function imageRepository(registry: Pick<RegistryInput, 'server'>, image: string): string {
  const server = registry.server?.replace(/\/+$/, '')
  if (!server || DOCKER_HUB_ALIASES.has(server)) return image
  return image.startsWith(`${server}/`) ? image : `${server}/${image}`
}

/**
 * Splits an image name the way docker does: the first component is a registry host when it
 * has a '.', a ':' or is "localhost"; otherwise the image is on Docker Hub, where one-component
 * names live under "library/" and the API is served from registry-1.docker.io.
 */
export function registryTarget(registry: Pick<RegistryInput, 'server'>, image: string): RegistryTarget {
  const name = imageRepository(registry, image)
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  const hasHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')
  const host = hasHost ? first : DOCKER_HUB
  let repository = hasHost ? name.slice(slash + 1) : name
  if (repository.includes(':') || repository.includes('@')) {
    throw new ImageRefError(`image '${image}' must not carry a tag or digest: cutover tags it with the version. Remove the ':…' or '@…' part from image.`)
  }
  const isHub = DOCKER_HUB_ALIASES.has(host)
  if (isHub && !repository.includes('/')) repository = `library/${repository}`
  const bad = repository.split('/').find((part) => !PATH_COMPONENT.test(part))
  if (repository === '' || bad !== undefined) {
    throw new ImageRefError(`image '${image}' is not a valid repository name (at '${bad ?? ''}'): use lowercase letters, digits and '.', '_', '-' separators, with '/' between path parts.`)
  }
  return { apiHost: isHub ? DOCKER_HUB_API : host, registry: isHub ? DOCKER_HUB : host, repository }
}
