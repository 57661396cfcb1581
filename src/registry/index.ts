/**
 * The registry as every deploy uses it: where an image lives, whether a version is there (and its
 * content digest), and docker login, locally and on hosts (through RemoteHost).
 */
export type { RegistryInput } from './types.js'
export { createRegistryClient, MANIFEST_MEDIA_TYPES, RegistryError, type RegistryClient, type RegistryClientOptions } from './client.js'
export type { RegistryFailure } from './http.js'
export { registryTarget, imageRepository, ImageRefError, type RegistryTarget } from './image-ref.js'
export { loginLocally, loginOnHost, logoutLocally, logoutOnHost } from './login.js'
